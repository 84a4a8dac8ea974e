/* control_path.h -- where aiod's control socket lives, and opening it safely */
#ifndef AIO_CONTROL_PATH_H
#define AIO_CONTROL_PATH_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The default control socket path of process pid, for a process whose
 * effective uid is uid and whose environment has xdg_runtime_dir (NULL or
 * "" when unset): "$XDG_RUNTIME_DIR/aiod/PID.sock", else "/run/aiod/PID.sock"
 * for root, else "/tmp/aiod-UID/PID.sock". Writes it to buf; returns 0, or
 * -ENAMETOOLONG when it does not fit buf or a Unix socket address.
 */
int aio_control_default_path(char *buf, size_t len, long pid, uid_t uid,
			     const char *xdg_runtime_dir);

/* Flags of aio_control_listen. */
enum {
	/* The socket's folder is aiod's own: made mode 0700 when missing;
	 * refused (-EPERM) when it is a symbolic link or not owned by the
	 * effective uid, and set back to 0700 when its mode is looser. */
	AIO_CONTROL_PRIVATE_DIR = 1,
};

/*
 * A listening Unix stream socket at path, mode 0600 from the moment it
 * appears there (bound under a temporary name, chmod-ed, then renamed into
 * place: the process's umask is never touched, as other threads may be
 * making files). A socket file already at path
 * that nobody listens on (a previous aiod that crashed) is replaced; one
 * that a live process answers on gives -EADDRINUSE, and a file that is not
 * a socket -EEXIST. Returns the descriptor (non-blocking, close-on-exec)
 * or -errno.
 */
int aio_control_listen(const char *path, int flags);

/*
 * Whether something listens at path: 1 yes, 0 no (nothing there, or a
 * stale socket), -errno when it cannot be told (not a socket: -ENOTSOCK).
 */
int aio_control_probe(const char *path);

#endif
