// Reads a stage's stdout and stderr pipes on a thread of their own, the way `cat` reads: blocking
// in poll(2), then one read(2) per ready pipe. Output is gathered into chunks of up to 64 KiB and
// handed to JavaScript one at a time, each as soon as it is full, or once the pipes have been
// quiet for a moment and the previous chunk was taken (docs/performance.md). Reading through
// Node's sockets instead wakes the event loop for every few KiB a fast command writes.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addon.h"

// The largest chunk: what one read of a Node socket gives at most, so log lines keep their size.
#define CHUNK_BYTES (64 * 1024)
// How long a chunk that is not full may wait for more output, once the others were taken.
#define GATHER_MS 1
// Chunks handed over and not yet taken: the thread reads on while JavaScript works through them.
#define MAX_IN_FLIGHT 16

typedef struct {
  int fds[2];
  int wake[2];  // written to by stop(), so the thread leaves poll()
  napi_threadsafe_function deliver;
  pthread_mutex_t lock;
  pthread_cond_t taken;
  int in_flight;  // chunks handed over and not yet taken by JavaScript
  int stopping;
} pipe_reader;

typedef struct {
  int stream;
  uint8_t* data;  // NULL for the end of the stream
  size_t length;
  int error;  // errno of a failed read, at the end
} chunk;

// On the JavaScript thread: onChunk(stream, buffer) or, at the end, onChunk(stream, null, errno).
static void call_js(napi_env env, napi_value callback, void* context, void* data) {
  pipe_reader* reader = context;
  chunk* message = data;
  if (env != NULL) {
    napi_value argv[3];
    napi_value global;
    napi_get_global(env, &global);
    napi_create_int32(env, message->stream, &argv[0]);
    // Copied into a buffer of V8's own, which its garbage collector frees as promptly as a socket's
    // chunks; an external buffer would be freed only by a deferred finalizer, and 200 MB of output
    // would keep ~40 MB more of them alive.
    if (message->data == NULL) {
      napi_get_null(env, &argv[1]);
    } else if (napi_create_buffer_copy(env, message->length, message->data, NULL, &argv[1]) != napi_ok) {
      // Out of memory: the stream ends here, with the error.
      napi_get_null(env, &argv[1]);
      message->error = ENOMEM;
    }
    napi_create_int32(env, message->error, &argv[2]);
    napi_call_function(env, global, callback, 3, argv, NULL);
  }
  free(message->data);
  free(message);
  pthread_mutex_lock(&reader->lock);
  reader->in_flight -= 1;
  pthread_cond_signal(&reader->taken);
  pthread_mutex_unlock(&reader->lock);
}

// Hands a message over, once fewer than MAX_IN_FLIGHT wait (or at once when stopping). Returns 0
// when it was not handed over.
static int hand_over(pipe_reader* reader, chunk* message) {
  pthread_mutex_lock(&reader->lock);
  while (reader->in_flight >= MAX_IN_FLIGHT && !reader->stopping)
    pthread_cond_wait(&reader->taken, &reader->lock);
  // Once stopping, only the ends go through: no more output, but JavaScript learns that both ended.
  int refused = reader->stopping && message->data != NULL;
  if (!refused) reader->in_flight += 1;
  pthread_mutex_unlock(&reader->lock);
  if (refused || napi_call_threadsafe_function(reader->deliver, message, napi_tsfn_blocking) != napi_ok) {
    free(message->data);
    free(message);
    return 0;
  }
  return 1;
}

static int idle(pipe_reader* reader) {
  pthread_mutex_lock(&reader->lock);
  int result = reader->in_flight == 0;
  pthread_mutex_unlock(&reader->lock);
  return result;
}

static int64_t now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void* read_pipes(void* argument) {
  pipe_reader* reader = argument;
  chunk* pending = NULL;  // the chunk being gathered
  int64_t gathered_at = 0;
  int running = 1;
  while (running && (reader->fds[0] >= 0 || reader->fds[1] >= 0)) {
    struct pollfd polled[3] = {
        {.fd = reader->fds[0], .events = POLLIN},
        {.fd = reader->fds[1], .events = POLLIN},
        {.fd = reader->wake[0], .events = POLLIN},
    };
    int timeout = pending == NULL ? -1 : GATHER_MS;
    if (poll(polled, 3, timeout) < 0 && errno != EINTR) break;
    if (polled[2].revents != 0) break;
    for (int stream = 0; stream < 2 && running; stream++) {
      if (reader->fds[stream] < 0 || polled[stream].revents == 0) continue;
      // Output of the other stream goes first, so the two keep their order.
      if (pending != NULL && pending->stream != stream) {
        running = hand_over(reader, pending);
        pending = NULL;
        if (!running) break;
      }
      if (pending == NULL) {
        pending = calloc(1, sizeof *pending);
        uint8_t* data = malloc(CHUNK_BYTES);
        if (pending == NULL || data == NULL) {
          free(pending);
          free(data);
          pending = NULL;
          running = 0;
          break;
        }
        pending->stream = stream;
        pending->data = data;
        gathered_at = now_ms();
      }
      ssize_t count = read(reader->fds[stream], pending->data + pending->length, CHUNK_BYTES - pending->length);
      if (count < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (count > 0) {
        pending->length += (size_t)count;
        if (pending->length == CHUNK_BYTES) {
          running = hand_over(reader, pending);
          pending = NULL;
        }
        continue;
      }
      // The end of this stream (or a failed read): what was gathered, then the end.
      int error = count < 0 ? errno : 0;
      if (pending->length > 0) {
        running = hand_over(reader, pending);
      } else {
        free(pending->data);
        free(pending);
      }
      pending = NULL;
      close(reader->fds[stream]);
      reader->fds[stream] = -1;
      chunk* end = calloc(1, sizeof *end);
      if (end == NULL) {
        running = 0;
        break;
      }
      end->stream = stream;
      end->error = error;
      if (running) running = hand_over(reader, end);
      else free(end);
    }
    if (running && pending != NULL && now_ms() - gathered_at >= GATHER_MS && idle(reader)) {
      running = hand_over(reader, pending);
      pending = NULL;
    }
  }
  if (pending != NULL) {
    free(pending->data);
    free(pending);
  }
  // Left early (out of memory, poll failed, or stopped): every stream still open ends here, so
  // JavaScript always sees both ends before the reader frees itself.
  int error = errno == 0 ? EIO : errno;
  for (int stream = 0; stream < 2; stream++) {
    if (reader->fds[stream] < 0) continue;
    close(reader->fds[stream]);
    reader->fds[stream] = -1;
    chunk* end = calloc(1, sizeof *end);
    if (end == NULL) continue;
    end->stream = stream;
    end->error = error;
    hand_over(reader, end);
  }
  napi_release_threadsafe_function(reader->deliver, napi_tsfn_release);
  return NULL;
}

static void finalize_reader(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  pipe_reader* reader = data;
  close(reader->wake[0]);
  close(reader->wake[1]);
  pthread_mutex_destroy(&reader->lock);
  pthread_cond_destroy(&reader->taken);
  free(reader);
}

// stop(): no more chunks; the thread closes the pipes and ends.
static napi_value stop_reading(napi_env env, napi_callback_info info) {
  pipe_reader* reader;
  napi_get_cb_info(env, info, NULL, NULL, NULL, (void**)&reader);
  pthread_mutex_lock(&reader->lock);
  int first = !reader->stopping;
  reader->stopping = 1;
  pthread_cond_signal(&reader->taken);
  pthread_mutex_unlock(&reader->lock);
  if (first) {
    char byte = 1;
    ssize_t ignored = write(reader->wake[1], &byte, 1);
    (void)ignored;
  }
  return NULL;
}

// readPipes(stdoutFd, stderrFd, onChunk) -> stop(): reads both pipes (and owns them from now on),
// calling onChunk(stream, buffer) for output (stream 0 is stdout, 1 stderr) and
// onChunk(stream, null, errno) at each stream's end. stop() may be called until both have ended.
static napi_value read_pipes_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fds[2];
  napi_valuetype callback_type = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &callback_type);
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fds[0]) != napi_ok ||
      napi_get_value_int32(env, argv[1], &fds[1]) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "readPipes(stdoutFd: number, stderrFd: number, onChunk: function)");
    return NULL;
  }
  pipe_reader* reader = calloc(1, sizeof *reader);
  if (reader == NULL || pipe2(reader->wake, O_CLOEXEC) != 0) {
    free(reader);
    napi_throw_error(env, NULL, "readPipes: out of resources");
    return NULL;
  }
  reader->fds[0] = fds[0];
  reader->fds[1] = fds[1];
  pthread_mutex_init(&reader->lock, NULL);
  pthread_cond_init(&reader->taken, NULL);
  napi_value name;
  napi_create_string_utf8(env, "codex-pipe-reader", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[2], NULL, name, 0, 1, reader, finalize_reader, reader,
                                      call_js, &reader->deliver) != napi_ok) {
    finalize_reader(env, reader, NULL);
    napi_throw_error(env, NULL, "readPipes: could not create the delivery function");
    return NULL;
  }
  if (start_detached_thread(read_pipes, reader) != 0) {
    napi_release_threadsafe_function(reader->deliver, napi_tsfn_abort);
    napi_throw_error(env, NULL, "readPipes: could not start a thread");
    return NULL;
  }
  napi_value stop;
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop_reading, reader, &stop);
  return stop;
}

void register_pipe_reader(napi_env env, napi_value exports) {
  napi_value function;
  napi_create_function(env, "readPipes", NAPI_AUTO_LENGTH, read_pipes_js, NULL, &function);
  napi_set_named_property(env, exports, "readPipes", function);
}
