// Starts stage commands with posix_spawn instead of fork: glibc's posix_spawn uses
// clone(CLONE_VM | CLONE_VFORK), so its cost does not grow with the orchestrator's heap the way a
// fork of the whole Node process does (docs/performance.md). Exits are watched through a pidfd on
// the event loop; libuv only reaps the pids it spawned itself, so nothing else waits for ours.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uv.h>

#include "addon.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  pid_t pid;
  int pidfd;
} exit_watch;

static int pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

// Throws an Error whose code is the errno's name ("ENOENT"), as Node's own spawn errors carry.
static napi_value throw_errno(napi_env env, int error, const char* what) {
  char message[256];
  const char* name = uv_err_name(uv_translate_sys_error(error));
  snprintf(message, sizeof message, "%s %s: %s", what, name, strerror(error));
  napi_value code;
  napi_value text;
  napi_value exception;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &exception);
  napi_throw(env, exception);
  return NULL;
}

// Copies a JS string into a new heap buffer.
static char* string_arg(napi_env env, napi_value value) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char* buffer = malloc(length + 1);
  if (buffer == NULL) return NULL;
  napi_get_value_string_utf8(env, value, buffer, length + 1, &length);
  return buffer;
}

// Copies a JS array of strings into a NULL-terminated vector.
static char** string_array_arg(napi_env env, napi_value value) {
  uint32_t count = 0;
  if (napi_get_array_length(env, value, &count) != napi_ok) return NULL;
  char** vector = calloc(count + 1, sizeof(char*));
  if (vector == NULL) return NULL;
  for (uint32_t index = 0; index < count; index++) {
    napi_value item;
    napi_get_element(env, value, index, &item);
    vector[index] = string_arg(env, item);
    if (vector[index] == NULL) {
      for (uint32_t done = 0; done < index; done++) free(vector[done]);
      free(vector);
      return NULL;
    }
  }
  return vector;
}

static void free_string_array(char** vector) {
  if (vector == NULL) return;
  for (char** item = vector; *item != NULL; item++) free(*item);
  free(vector);
}

static void on_watch_closed(uv_handle_t* handle) {
  exit_watch* watch = (exit_watch*)handle->data;
  close(watch->pidfd);
  free(watch);
}

static void on_pidfd_readable(uv_poll_t* poll, int status, int events) {
  (void)events;
  exit_watch* watch = (exit_watch*)poll->data;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int waited = waitid(P_PID, watch->pid, &info, WEXITED | WNOHANG);
  if (status == 0 && waited == 0 && info.si_pid == 0) return;  // Not ended yet.

  int exit_code = -1;
  int signal_number = 0;
  if (waited == 0 && info.si_code == CLD_EXITED) exit_code = info.si_status;
  else if (waited == 0) signal_number = info.si_status;

  uv_poll_stop(poll);
  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback;
  napi_value global;
  napi_value argv[2];
  napi_get_reference_value(env, watch->callback, &callback);
  napi_get_global(env, &global);
  napi_create_int32(env, exit_code, &argv[0]);
  napi_create_int32(env, signal_number, &argv[1]);
  napi_status called = napi_make_callback(env, watch->context, global, callback, 2, argv, NULL);
  if (called == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
  napi_delete_reference(env, watch->callback);
  napi_async_destroy(env, watch->context);
  uv_close((uv_handle_t*)poll, on_watch_closed);
}

// spawn(file, argv, envp, cwd, onExit) -> [pid, stdoutFd, stderrFd]
// The child gets its own session (so its process group can be signalled as a whole), stdin from
// /dev/null, default signal dispositions and an empty signal mask. (glibc leaves its two internal
// signals ignored in the child; glibc programs install their own handlers for them at start-up.)
static napi_value spawn_command(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd, onExit) expects five arguments");
    return NULL;
  }

  char* file = string_arg(env, args[0]);
  char** argv = string_array_arg(env, args[1]);
  char** envp = string_array_arg(env, args[2]);
  char* cwd = string_arg(env, args[3]);
  napi_value result = NULL;
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int actions_ready = 0;
  int attributes_ready = 0;

  if (file == NULL || argv == NULL || envp == NULL || cwd == NULL) {
    napi_throw_type_error(env, NULL, "spawn: file and cwd must be strings, argv and envp arrays of strings");
    goto done;
  }
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw_errno(env, errno, "pipe");
    goto done;
  }

  // A larger pipe lets a chatty command run ahead while the orchestrator writes its logs (best
  // effort: the kernel caps it at /proc/sys/fs/pipe-max-size, 1 MiB by default).
  fcntl(out_pipe[0], F_SETPIPE_SZ, 1 << 20);
  fcntl(err_pipe[0], F_SETPIPE_SZ, 1 << 20);

  posix_spawn_file_actions_init(&actions);
  actions_ready = 1;
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addchdir_np(&actions, cwd);

  posix_spawnattr_init(&attributes);
  attributes_ready = 1;
  sigset_t defaults;
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &mask);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid = 0;
  int spawned = posix_spawn(&pid, file, &actions, &attributes, argv, envp);
  if (spawned != 0) {
    throw_errno(env, spawned, "spawn");
    goto done;
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  out_pipe[1] = err_pipe[1] = -1;

  exit_watch* watch = calloc(1, sizeof(exit_watch));
  int pidfd = pidfd_open(pid);
  uv_loop_t* loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  if (watch == NULL || pidfd < 0 || uv_poll_init(loop, &watch->poll, pidfd) != 0) {
    // Cannot watch it: do not leave it running unobserved.
    int error = pidfd < 0 ? errno : ENOMEM;
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (pidfd >= 0) close(pidfd);
    free(watch);
    close(out_pipe[0]);
    close(err_pipe[0]);
    out_pipe[0] = err_pipe[0] = -1;
    throw_errno(env, error, "watch");
    goto done;
  }
  watch->env = env;
  watch->pid = pid;
  watch->pidfd = pidfd;
  watch->poll.data = watch;
  napi_create_reference(env, args[4], 1, &watch->callback);
  napi_value resource_name;
  napi_create_string_utf8(env, "codex-orchestrator:spawn", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &watch->context);
  uv_poll_start(&watch->poll, UV_READABLE, on_pidfd_readable);

  napi_value values[3];
  napi_create_array_with_length(env, 3, &result);
  napi_create_int32(env, pid, &values[0]);
  napi_create_int32(env, out_pipe[0], &values[1]);
  napi_create_int32(env, err_pipe[0], &values[2]);
  for (uint32_t index = 0; index < 3; index++) napi_set_element(env, result, index, values[index]);

done:
  if (out_pipe[1] >= 0) close(out_pipe[1]);
  if (err_pipe[1] >= 0) close(err_pipe[1]);
  if (result == NULL) {
    if (out_pipe[0] >= 0) close(out_pipe[0]);
    if (err_pipe[0] >= 0) close(err_pipe[0]);
  }
  if (actions_ready) posix_spawn_file_actions_destroy(&actions);
  if (attributes_ready) posix_spawnattr_destroy(&attributes);
  free(file);
  free(cwd);
  free_string_array(argv);
  free_string_array(envp);
  return result;
}

// usable() -> whether this kernel lets us watch exits through pidfds.
static napi_value usable(napi_env env, napi_callback_info info) {
  (void)info;
  int pidfd = pidfd_open(getpid());
  if (pidfd >= 0) close(pidfd);
  napi_value result;
  napi_get_boolean(env, pidfd >= 0, &result);
  return result;
}

void register_spawn(napi_env env, napi_value exports) {
  napi_value spawn_function;
  napi_value usable_function;
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, spawn_command, NULL, &spawn_function);
  napi_create_function(env, "usable", NAPI_AUTO_LENGTH, usable, NULL, &usable_function);
  napi_set_named_property(env, exports, "spawn", spawn_function);
  napi_set_named_property(env, exports, "usable", usable_function);
}
