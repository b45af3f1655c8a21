// The addon's entry point: one module, whose parts (addon.h) each register their functions.
#include "addon.h"

#include <pthread.h>

int start_detached_thread(void* (*body)(void*), void* argument) {
  pthread_t thread;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  // The threads only read, escape and write: 64 KiB is plenty.
  pthread_attr_setstacksize(&attributes, 64 * 1024);
  int failed = pthread_create(&thread, &attributes, body, argument);
  pthread_attr_destroy(&attributes);
  return failed;
}

NAPI_MODULE_INIT() {
  register_spawn(env, exports);
  register_json_escape(env, exports);
  register_pipe_reader(env, exports);
  register_output_pump(env, exports);
  return exports;
}
