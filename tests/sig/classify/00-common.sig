# Test policy for check_classify: shared ports.
shared-ports 80,443,53,25
