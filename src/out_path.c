/* out_path.c - an output never destroys data: no path the run writes may be the same file as one
 * it reads or another it writes. Files are compared by device and inode (so symlinks, hard links
 * and other spellings of a name are caught); a file still to be created by the directory it will
 * be created in and its name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

/* Where a path leads: an existing file, or a name to be created in an existing directory. */
struct file_id {
	bool exists;
	dev_t dev;   /* the file's, or (to be created) its directory's */
	ino_t ino;
	char *name;  /* to be created: the last component */
};

struct out_path_entry {
	const char *what;
	char *path;
	bool output;
	struct file_id id;
};

struct out_paths {
	struct out_path_entry *v;
	size_t n, cap;
};

struct out_paths *out_paths_create(void)
{
	return calloc(1, sizeof(struct out_paths));
}

void out_paths_free(struct out_paths *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].id.name);
		free(ps->v[i].path);
	}
	free(ps->v);
	free(ps);
}

/* Follows a dangling symlink chain to the name the file would be created at (as open(O_CREAT)
 * does); *out is malloc'd. false when it loops or a link cannot be read. */
static bool final_name(const char *path, char **out)
{
	char *cur = strdup(path);
	for (int depth = 0; cur && depth < 40; depth++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
			*out = cur;
			return true;
		}
		char target[PATH_MAX];
		ssize_t n = readlink(cur, target, sizeof target - 1);
		if (n < 0)
			break;
		target[n] = '\0';
		char *next;
		const char *slash = strrchr(cur, '/');
		if (target[0] == '/' || !slash) {
			next = strdup(target);
		} else {
			/* relative to the link's directory */
			size_t dl = (size_t)(slash - cur) + 1;
			next = malloc(dl + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dl);
				memcpy(next + dl, target, (size_t)n + 1);
			}
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return false;
}

/* 0 with id filled; -1 when the path leads nowhere that can be compared (its directory is
 * missing: opening it will fail with its own message). */
static int identify(const char *path, int std_fd, struct file_id *id)
{
	struct stat st;
	memset(id, 0, sizeof *id);
	if (strcmp(path, "-") == 0) {
		if (fstat(std_fd, &st) != 0)
			return -1;
	} else if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return -1;
		char *name;
		if (!final_name(path, &name))
			return -1;
		char *slash = strrchr(name, '/');
		const char *dir = ".", *base = name;
		if (slash) {
			*slash = '\0';
			dir = slash == name ? "/" : name;
			base = slash + 1;
		}
		struct stat ds;
		if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode) || !(id->name = strdup(base))) {
			free(name);
			return -1;
		}
		free(name);
		id->dev = ds.st_dev;
		id->ino = ds.st_ino;
		return 0;
	}
	/* Devices, pipes and sockets are never overwritten in place (-o /dev/null twice is fine). */
	if (!S_ISREG(st.st_mode))
		return -1;
	id->exists = true;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

static bool same_file(const struct file_id *a, const struct file_id *b)
{
	if (a->exists != b->exists || a->dev != b->dev || a->ino != b->ino)
		return false;
	return a->exists || strcmp(a->name, b->name) == 0;
}

/* Registers the file id (taken from path) under the name shown; conflicts with a registered file
 * when either of the two is an output. */
static int add_id(struct out_paths *ps, const char *what, const char *path, bool output,
		  struct file_id *id, char *errbuf)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct out_path_entry *e = &ps->v[i];
		if (!(output || e->output) || !same_file(id, &e->id))
			continue;
		snprintf(errbuf, UCF_ERRBUF_SIZE,
			 "%s %s is the same file as %s %s: refusing to overwrite %s", what,
			 strcmp(path, "-") == 0 ? "(standard output)" : path, e->what,
			 strcmp(e->path, "-") == 0 ? (e->output ? "(standard output)" : "(standard input)")
						   : e->path,
			 e->output ? "an output" : "an input");
		free(id->name);
		return UCF_ERR_CONFIG;
	}
	char *copy = strdup(path);
	if (ps->n == ps->cap && copy) {
		size_t cap = ps->cap ? 2 * ps->cap : 8;
		struct out_path_entry *v = realloc(ps->v, cap * sizeof *v);
		if (v) {
			ps->v = v;
			ps->cap = cap;
		}
	}
	if (!copy || ps->n == ps->cap) {
		free(copy);
		free(id->name);
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	ps->v[ps->n++] = (struct out_path_entry){ what, copy, output, *id };
	return UCF_OK;
}

static int add(struct out_paths *ps, const char *what, const char *path, bool output, char *errbuf)
{
	struct file_id id;
	if (identify(path, output ? STDOUT_FILENO : STDIN_FILENO, &id) != 0)
		return UCF_OK; /* nothing there to overwrite (or opening it will fail) */
	if (!output && !id.exists) { /* a missing input: reading it fails with its own message */
		free(id.name);
		return UCF_OK;
	}
	return add_id(ps, what, path, output, &id, errbuf);
}

int out_paths_add_input(struct out_paths *ps, const char *what, const char *path, char *errbuf)
{
	return add(ps, what, path, false, errbuf);
}

int out_paths_add_input_dir(struct out_paths *ps, const char *what, const char *dir, char *errbuf)
{
	DIR *d = opendir(dir);
	if (!d)
		return UCF_OK; /* loading it will say why */
	int rc = UCF_OK;
	size_t dl = strlen(dir);
	struct dirent *e;
	while (rc == UCF_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = dl + strlen(e->d_name) + 2;
		char *p = malloc(n);
		if (!p) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
			rc = UCF_ERR_RUNTIME;
			break;
		}
		snprintf(p, n, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			rc = add(ps, what, p, false, errbuf);
		free(p);
	}
	closedir(d);
	return rc;
}

int out_paths_add_output(struct out_paths *ps, const char *what, const char *path, char *errbuf)
{
	return add(ps, what, path, true, errbuf);
}

int out_path_check_replaceable(const char *path, char *errbuf)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot write %s: %s", path, strerror(EISDIR));
		return UCF_ERR_RUNTIME;
	}
	/* the way the file will be written: a new file beside it, renamed over it */
	size_t n = strlen(path) + 48;
	char *tmp = malloc(n);
	if (!tmp) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
		return UCF_ERR_RUNTIME;
	}
	snprintf(tmp, n, "%s.check.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return UCF_ERR_RUNTIME;
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return UCF_OK;
}
