// Writes a stage's output to its logs on a thread of its own, without JavaScript in between: reads
// stdout and stderr the way `cat` reads (blocking in poll(2), one read(2) per ready pipe), replaces
// secrets, escapes each chunk into an output event line, and appends the lines in batches to the
// stage's log and to runner.ndjson. JavaScript gets back only a write failure, at once, and at the end the tails of
// the output that summaries and error files quote (decision 0010, docs/performance.md).
//
// The lines are the ones EventStreamWriter.output() writes for the decoded text: JavaScript gives
// their fixed parts, this file fills in the escaped output and the timestamp.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addon.h"
#include "json-escape.h"
#include "redact.h"

// The largest chunk, one output event: what one read of a Node socket gives at most.
#define CHUNK_BYTES (64 * 1024)
// How long a chunk that is not full waits for more output before it becomes a line.
#define GATHER_MS 1
// Room for an ISO 8601 timestamp such as 2026-11-24T00:00:00.000Z (years past 9999 included).
#define TIMESTAMP_ROOM 32
// The tails: stdout, stderr, and both as they came.
#define TAIL_COUNT 3

typedef struct {
  uint8_t* bytes;
  size_t length;
} piece;

// The last bytes of a stream's decoded output.
typedef struct {
  uint8_t* data;
  size_t capacity;
  uint64_t total;  // bytes ever pushed
} tail_ring;

typedef struct {
  // Set before the thread starts.
  int pipes[2];  // owned: closed at each stream's end
  int* files;    // not owned: JavaScript closes them once the pump has ended
  size_t file_count;
  piece heads[2];  // a line up to the output: `{"type":"command:stdout","data":"`
  piece middle;    // from after the output up to the timestamp
  piece end;       // from after the timestamp to the newline
  secret_list secrets;
  // What a stream holds back for the next chunk: a secret's possible start (the longest secret
  // but one byte), and a character the chunk leaves unfinished.
  size_t held_max;
  size_t batch_bytes;
  int64_t max_delay_ms;
  int wake[2];  // written to by stop(), so the thread leaves poll()
  napi_threadsafe_function deliver;
  // The thread and the delivery function's finalizer: the last to let go frees the pump (the
  // finalizer runs first only when Node tears its environment down under a running pump).
  int references;
  // The thread's own.
  uint8_t* chunk;  // held_max bytes of room for what the stream held back, then the chunk
  size_t chunk_length;
  int chunk_stream;  // -1 while no chunk is being gathered
  int64_t chunk_started;
  uint8_t* held[2];
  size_t held_length[2];
  uint8_t* redacted;  // the chunk with its secrets replaced
  uint8_t* batch;
  size_t batch_length;
  int64_t batch_started;
  uint8_t* repaired;  // invalid output as a decoder reads it, for the tails
  tail_ring tails[TAIL_COUNT];
  int write_failed;
} output_pump;

enum { MESSAGE_WRITE_FAILED = 0, MESSAGE_ENDED = 1 };

typedef struct {
  int kind;
  int file;   // MESSAGE_WRITE_FAILED: the index of the file
  int error;  // MESSAGE_WRITE_FAILED: errno
  piece tails[TAIL_COUNT];  // MESSAGE_ENDED
} message;

static int64_t now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

// ---------------------------------------------------------------------------------------------
// Tails

static void tail_push(tail_ring* ring, const uint8_t* source, size_t length) {
  if (ring->capacity == 0 || length == 0) return;
  size_t kept = length < ring->capacity ? length : ring->capacity;
  size_t at = (size_t)((ring->total + length - kept) % ring->capacity);
  size_t first = ring->capacity - at < kept ? ring->capacity - at : kept;
  memcpy(ring->data + at, source + length - kept, first);
  memcpy(ring->data, source + length - kept + first, kept - first);
  ring->total += length;
}

// The ring's bytes in order (malloc'd): whole characters only, since a ring that lost its start
// may begin inside one.
static piece tail_read(const tail_ring* ring) {
  piece result = {NULL, 0};
  size_t length = ring->total < ring->capacity ? (size_t)ring->total : ring->capacity;
  if (length == 0) return result;
  result.bytes = malloc(length);
  if (result.bytes == NULL) return result;
  size_t at = ring->total < ring->capacity ? 0 : (size_t)(ring->total % ring->capacity);
  memcpy(result.bytes, ring->data + at, length - at);
  memcpy(result.bytes + length - at, ring->data, at);
  size_t skip = 0;
  if (ring->total > ring->capacity)
    while (skip < length && skip < UTF8_UNFINISHED_MAX && (result.bytes[skip] & 0xC0) == 0x80) skip += 1;
  memmove(result.bytes, result.bytes + skip, length - skip);
  result.length = length - skip;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Delivery to JavaScript

// On the JavaScript thread: onEvent(0, fileIndex, errno) for a failed write, or at the end
// onEvent(1, stdoutTail, stderrTail, combinedTail).
static void call_js(napi_env env, napi_value callback, void* context, void* data) {
  (void)context;
  message* delivered = data;
  if (env != NULL) {
    napi_value argv[4];
    napi_value global;
    napi_get_global(env, &global);
    napi_create_int32(env, delivered->kind, &argv[0]);
    size_t argc;
    if (delivered->kind == MESSAGE_WRITE_FAILED) {
      napi_create_int32(env, delivered->file, &argv[1]);
      napi_create_int32(env, delivered->error, &argv[2]);
      argc = 3;
    } else {
      for (int tail = 0; tail < TAIL_COUNT; tail++) {
        piece bytes = delivered->tails[tail];
        if (napi_create_buffer_copy(env, bytes.length, bytes.length == 0 ? "" : (void*)bytes.bytes, NULL,
                                    &argv[1 + tail]) != napi_ok)
          napi_get_null(env, &argv[1 + tail]);
      }
      argc = 4;
    }
    napi_call_function(env, global, callback, argc, argv, NULL);
  }
  for (int tail = 0; tail < TAIL_COUNT; tail++) free(delivered->tails[tail].bytes);
  free(delivered);
}

static void deliver(output_pump* pump, message* delivered) {
  if (napi_call_threadsafe_function(pump->deliver, delivered, napi_tsfn_blocking) != napi_ok) {
    for (int tail = 0; tail < TAIL_COUNT; tail++) free(delivered->tails[tail].bytes);
    free(delivered);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

static int write_all(int file, const uint8_t* bytes, size_t length) {
  while (length > 0) {
    ssize_t written = write(file, bytes, length);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (written == 0) errno = ENOSPC;
      return 0;
    }
    bytes += written;
    length -= (size_t)written;
  }
  return 1;
}

// One write(2) of whole lines per file (O_APPEND, so appends of other processes never tear them).
// After a failure, nothing more is written: JavaScript stops the command.
static void write_batch(output_pump* pump) {
  if (pump->batch_length == 0) return;
  for (size_t file = 0; file < pump->file_count && !pump->write_failed; file++) {
    if (write_all(pump->files[file], pump->batch, pump->batch_length)) continue;
    int error = errno;
    pump->write_failed = 1;
    message* failure = calloc(1, sizeof *failure);
    if (failure == NULL) break;
    failure->kind = MESSAGE_WRITE_FAILED;
    failure->file = (int)file;
    failure->error = error;
    deliver(pump, failure);
  }
  pump->batch_length = 0;
}

static size_t put(uint8_t* target, piece part) {
  memcpy(target, part.bytes, part.length);
  return part.length;
}

// `new Date().toISOString()`, as the other event lines have it.
static size_t put_timestamp(uint8_t* target) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm utc;
  gmtime_r(&now.tv_sec, &utc);
  char text[TIMESTAMP_ROOM + 8];
  int length = snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                        utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                        (int)(now.tv_nsec / 1000000));
  if (length < 0 || length > TIMESTAMP_ROOM) length = 0;
  memcpy(target, text, (size_t)length);
  return (size_t)length;
}

// Appends one output line for `length` bytes of `stream` at `data`, which has room for held_max
// bytes before it, where what the stream held back from its last chunk goes. This chunk holds back
// what may be the start of a secret and a character it leaves unfinished, unless it is the last.
static void append_output(output_pump* pump, int stream, uint8_t* data, size_t length, int last) {
  size_t carried = pump->held_length[stream];
  data -= carried;
  memcpy(data, pump->held[stream], carried);
  length += carried;
  uint8_t* text = data;
  if (pump->secrets.count > 0) {
    length = redact_bytes(&pump->secrets, data, length, pump->redacted);
    text = pump->redacted;
  }
  size_t finished = length;
  if (!last) {
    // Held back, as the engine's stream redactor does: the longest secret but one byte.
    size_t secret_start = pump->held_max - UTF8_UNFINISHED_MAX;
    finished = utf8_finished_length(text, length > secret_start ? length - secret_start : 0);
  }
  pump->held_length[stream] = length - finished;
  memcpy(pump->held[stream], text + finished, length - finished);
  if (finished == 0) return;

  if (pump->batch_length == 0) pump->batch_started = now_ms();
  uint8_t* line = pump->batch + pump->batch_length;
  size_t at = put(line, pump->heads[stream]);
  int repaired;
  at += json_escape_utf8(text, finished, line + at, &repaired);
  at += put(line + at, pump->middle);
  at += put_timestamp(line + at);
  at += put(line + at, pump->end);
  pump->batch_length += at;

  const uint8_t* decoded = text;
  size_t decoded_length = finished;
  if (repaired) {
    decoded = pump->repaired;
    decoded_length = utf8_repair(text, finished, pump->repaired);
  }
  tail_push(&pump->tails[stream], decoded, decoded_length);
  tail_push(&pump->tails[2], decoded, decoded_length);

  if (pump->batch_length >= pump->batch_bytes) write_batch(pump);
}

static void append_chunk(output_pump* pump) {
  if (pump->chunk_stream < 0) return;
  append_output(pump, pump->chunk_stream, pump->chunk + pump->held_max, pump->chunk_length, 0);
  pump->chunk_stream = -1;
  pump->chunk_length = 0;
}

// The end of a stream: what it held back is written, a character left unfinished as a decoder ends it.
static void end_stream(output_pump* pump, int stream) {
  append_output(pump, stream, pump->chunk + pump->held_max, 0, 1);
  close(pump->pipes[stream]);
  pump->pipes[stream] = -1;
}

// ---------------------------------------------------------------------------------------------
// The thread

static void free_pump(output_pump* pump) {
  if (pump->wake[0] >= 0) close(pump->wake[0]);
  if (pump->wake[1] >= 0) close(pump->wake[1]);
  free(pump->files);
  for (int stream = 0; stream < 2; stream++) free(pump->heads[stream].bytes);
  free(pump->middle.bytes);
  free(pump->end.bytes);
  for (size_t index = 0; index < pump->secrets.count; index++) free(pump->secrets.secrets[index].bytes);
  free(pump->secrets.secrets);
  free(pump->secrets.next);
  free(pump->secrets.replacement.bytes);
  free(pump->held[0]);
  free(pump->held[1]);
  free(pump->chunk);
  free(pump->redacted);
  free(pump->batch);
  free(pump->repaired);
  for (int tail = 0; tail < TAIL_COUNT; tail++) free(pump->tails[tail].data);
  free(pump);
}

static void release_pump(output_pump* pump) {
  if (__atomic_sub_fetch(&pump->references, 1, __ATOMIC_ACQ_REL) == 0) free_pump(pump);
}

static int time_left(int64_t deadline, int64_t now) {
  return deadline <= now ? 0 : (int)(deadline - now);
}

static void* pump_output(void* argument) {
  output_pump* pump = argument;
  while (pump->pipes[0] >= 0 || pump->pipes[1] >= 0) {
    int64_t now = now_ms();
    int timeout = -1;
    if (pump->chunk_stream >= 0) timeout = time_left(pump->chunk_started + GATHER_MS, now);
    if (pump->batch_length > 0) {
      int batch_timeout = time_left(pump->batch_started + pump->max_delay_ms, now);
      if (timeout < 0 || batch_timeout < timeout) timeout = batch_timeout;
    }
    struct pollfd polled[3] = {
        {.fd = pump->pipes[0], .events = POLLIN},
        {.fd = pump->pipes[1], .events = POLLIN},
        {.fd = pump->wake[0], .events = POLLIN},
    };
    if (poll(polled, 3, timeout) < 0 && errno != EINTR) break;
    if (polled[2].revents != 0) break;  // stopped
    for (int stream = 0; stream < 2; stream++) {
      if (pump->pipes[stream] < 0 || polled[stream].revents == 0) continue;
      // Output of the other stream goes first, so the two keep their order.
      if (pump->chunk_stream >= 0 && pump->chunk_stream != stream) append_chunk(pump);
      if (pump->chunk_stream < 0) {
        pump->chunk_stream = stream;
        pump->chunk_started = now_ms();
      }
      uint8_t* free_space = pump->chunk + pump->held_max + pump->chunk_length;
      ssize_t count = read(pump->pipes[stream], free_space, CHUNK_BYTES - pump->chunk_length);
      if (count < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (count > 0) {
        pump->chunk_length += (size_t)count;
        if (pump->chunk_length == CHUNK_BYTES) append_chunk(pump);
        continue;
      }
      // The end of this stream (or a failed read, which ends it too).
      if (pump->chunk_length > 0) append_chunk(pump);
      pump->chunk_stream = -1;
      end_stream(pump, stream);
    }
    now = now_ms();
    if (pump->chunk_stream >= 0 && now - pump->chunk_started >= GATHER_MS) append_chunk(pump);
    if (pump->batch_length > 0 && now - pump->batch_started >= pump->max_delay_ms) write_batch(pump);
  }
  // Ended, stopped or failed: what was read is written, and every stream still open ends.
  append_chunk(pump);
  for (int stream = 0; stream < 2; stream++)
    if (pump->pipes[stream] >= 0) end_stream(pump, stream);
  write_batch(pump);
  message* ended = calloc(1, sizeof *ended);
  if (ended != NULL) {
    ended->kind = MESSAGE_ENDED;
    for (int tail = 0; tail < TAIL_COUNT; tail++) ended->tails[tail] = tail_read(&pump->tails[tail]);
    deliver(pump, ended);
  }
  napi_release_threadsafe_function(pump->deliver, napi_tsfn_release);
  release_pump(pump);
  return NULL;
}

// ---------------------------------------------------------------------------------------------
// Set-up from JavaScript


static void finalize_pump(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  release_pump(data);
}

// stop(): the pump writes what it has read and ends, closing the pipes.
static napi_value stop_pump(napi_env env, napi_callback_info info) {
  output_pump* pump;
  napi_get_cb_info(env, info, NULL, NULL, NULL, (void**)&pump);
  char byte = 1;
  ssize_t ignored = write(pump->wake[1], &byte, 1);
  (void)ignored;
  return NULL;
}

static int copy_buffer(napi_env env, napi_value value, uint8_t** target, size_t* target_length) {
  char* bytes;
  size_t length;
  if (napi_get_buffer_info(env, value, (void**)&bytes, &length) != napi_ok) return 0;
  *target = malloc(length == 0 ? 1 : length);
  if (*target == NULL) return 0;
  memcpy(*target, bytes, length);
  *target_length = length;
  return 1;
}

static int read_piece(napi_env env, napi_value options, const char* name, piece* target) {
  napi_value value;
  return napi_get_named_property(env, options, name, &value) == napi_ok &&
         copy_buffer(env, value, &target->bytes, &target->length);
}

// secrets: Buffer[] (longest first), each at least one byte; redacted: Buffer.
static int read_secrets(napi_env env, napi_value options, secret_list* list) {
  napi_value secrets;
  napi_value replacement;
  uint32_t count;
  bool is_array = false;
  if (napi_get_named_property(env, options, "secrets", &secrets) != napi_ok ||
      napi_is_array(env, secrets, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, secrets, &count) != napi_ok ||
      napi_get_named_property(env, options, "redacted", &replacement) != napi_ok ||
      !copy_buffer(env, replacement, &list->replacement.bytes, &list->replacement.length))
    return 0;
  list->secrets = calloc(count == 0 ? 1 : count, sizeof *list->secrets);
  list->next = calloc(count == 0 ? 1 : count, sizeof *list->next);
  if (list->secrets == NULL || list->next == NULL) return 0;
  for (uint32_t index = 0; index < count; index++) {
    napi_value secret;
    if (napi_get_element(env, secrets, index, &secret) != napi_ok) return 0;
    byte_text* text = &list->secrets[index];
    if (!copy_buffer(env, secret, &text->bytes, &text->length)) return 0;
    list->count = index + 1;
    if (text->length == 0 || (index > 0 && text->length > list->secrets[index - 1].length)) return 0;
  }
  return 1;
}

static int read_number(napi_env env, napi_value object, const char* name, int64_t* target) {
  napi_value value;
  return napi_get_named_property(env, object, name, &value) == napi_ok &&
         napi_get_value_int64(env, value, target) == napi_ok && *target >= 0;
}

static int read_files(napi_env env, napi_value options, output_pump* pump) {
  napi_value files;
  uint32_t count;
  bool is_array = false;
  if (napi_get_named_property(env, options, "files", &files) != napi_ok ||
      napi_is_array(env, files, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, files, &count) != napi_ok)
    return 0;
  pump->files = calloc(count == 0 ? 1 : count, sizeof *pump->files);
  if (pump->files == NULL) return 0;
  pump->file_count = count;
  for (uint32_t index = 0; index < count; index++) {
    napi_value file;
    if (napi_get_element(env, files, index, &file) != napi_ok ||
        napi_get_value_int32(env, file, &pump->files[index]) != napi_ok)
      return 0;
  }
  return 1;
}

static int read_options(napi_env env, napi_value options, output_pump* pump) {
  int64_t batch_bytes;
  int64_t tail_bytes[TAIL_COUNT];
  static const char* const tail_names[TAIL_COUNT] = {"stdoutTailBytes", "stderrTailBytes",
                                                     "combinedTailBytes"};
  if (!read_files(env, options, pump) || !read_secrets(env, options, &pump->secrets) ||
      !read_piece(env, options, "stdoutHead", &pump->heads[0]) ||
      !read_piece(env, options, "stderrHead", &pump->heads[1]) ||
      !read_piece(env, options, "middle", &pump->middle) || !read_piece(env, options, "end", &pump->end) ||
      !read_number(env, options, "batchBytes", &batch_bytes) ||
      !read_number(env, options, "maxDelayMs", &pump->max_delay_ms))
    return 0;
  for (int tail = 0; tail < TAIL_COUNT; tail++)
    if (!read_number(env, options, tail_names[tail], &tail_bytes[tail])) return 0;
  pump->batch_bytes = (size_t)batch_bytes;
  size_t longest_secret = pump->secrets.count == 0 ? 0 : pump->secrets.secrets[0].length;
  pump->held_max = (longest_secret == 0 ? 0 : longest_secret - 1) + UTF8_UNFINISHED_MAX;
  // The most text one line can carry: a chunk after what was held back, with its secrets replaced.
  size_t longest_text = redacted_room(&pump->secrets, pump->held_max + CHUNK_BYTES);
  size_t longest_head = pump->heads[0].length;
  if (pump->heads[1].length > longest_head) longest_head = pump->heads[1].length;
  size_t longest_line = longest_head + json_escape_room(longest_text) + pump->middle.length + TIMESTAMP_ROOM +
                        pump->end.length;
  // A batch is written once it reaches batch_bytes, so it never holds more than that plus a line.
  pump->batch = malloc(pump->batch_bytes + longest_line);
  pump->chunk = malloc(pump->held_max + CHUNK_BYTES);
  pump->held[0] = malloc(pump->held_max);
  pump->held[1] = malloc(pump->held_max);
  pump->redacted = pump->secrets.count == 0 ? NULL : malloc(longest_text);
  pump->repaired = malloc(3 * longest_text);
  if (pump->batch == NULL || pump->chunk == NULL || pump->held[0] == NULL || pump->held[1] == NULL ||
      (pump->secrets.count > 0 && pump->redacted == NULL) || pump->repaired == NULL)
    return 0;
  for (int tail = 0; tail < TAIL_COUNT; tail++) {
    pump->tails[tail].capacity = (size_t)tail_bytes[tail];
    pump->tails[tail].data = malloc(tail_bytes[tail] == 0 ? 1 : (size_t)tail_bytes[tail]);
    if (pump->tails[tail].data == NULL) return 0;
  }
  return 1;
}

// Set-up failed: the pipes are the pump's from the call on, so they are closed here.
static napi_value fail_setup(napi_env env, output_pump* pump, const int32_t pipes[2], const char* message,
                             int type) {
  close(pipes[0]);
  close(pipes[1]);
  if (pump != NULL) free_pump(pump);
  if (type) napi_throw_type_error(env, NULL, message);
  else napi_throw_error(env, NULL, message);
  return NULL;
}

// pumpOutput(stdoutFd, stderrFd, options, onEvent) -> stop: see native-addon.ts.
static napi_value pump_output_js(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  static const char* const usage =
      "pumpOutput(stdoutFd: number, stderrFd: number, options: OutputPumpOptions, onEvent: function)";
  int32_t pipes[2];
  napi_valuetype options_type = napi_undefined;
  napi_valuetype callback_type = napi_undefined;
  if (argc >= 4) {
    napi_typeof(env, argv[2], &options_type);
    napi_typeof(env, argv[3], &callback_type);
  }
  if (argc < 4 || napi_get_value_int32(env, argv[0], &pipes[0]) != napi_ok ||
      napi_get_value_int32(env, argv[1], &pipes[1]) != napi_ok || options_type != napi_object ||
      callback_type != napi_function) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  output_pump* pump = calloc(1, sizeof *pump);
  if (pump == NULL) return fail_setup(env, NULL, pipes, "pumpOutput: out of memory", 0);
  pump->wake[0] = pump->wake[1] = -1;
  pump->chunk_stream = -1;
  if (!read_options(env, argv[2], pump)) return fail_setup(env, pump, pipes, usage, 1);
  if (pipe2(pump->wake, O_CLOEXEC) != 0) {
    pump->wake[0] = pump->wake[1] = -1;
    return fail_setup(env, pump, pipes, "pumpOutput: out of resources", 0);
  }
  napi_value name;
  napi_create_string_utf8(env, "codex-output-pump", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, pump, finalize_pump, pump, call_js,
                                      &pump->deliver) != napi_ok)
    return fail_setup(env, pump, pipes, "pumpOutput: could not create the delivery function", 0);
  // The pipes are the pump's from here on.
  pump->pipes[0] = pipes[0];
  pump->pipes[1] = pipes[1];
  pump->references = 2;
  if (start_detached_thread(pump_output, pump) != 0) {
    // Aborting frees the pump through finalize_pump, the only one left holding it.
    pump->references = 1;
    napi_release_threadsafe_function(pump->deliver, napi_tsfn_abort);
    return fail_setup(env, NULL, pipes, "pumpOutput: could not start a thread", 0);
  }
  napi_value stop;
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop_pump, pump, &stop);
  return stop;
}

void register_output_pump(napi_env env, napi_value exports) {
  napi_value function;
  napi_create_function(env, "pumpOutput", NAPI_AUTO_LENGTH, pump_output_js, NULL, &function);
  napi_set_named_property(env, exports, "pumpOutput", function);
}
