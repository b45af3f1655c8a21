// The addon's entry point: one module, whose parts (addon.h) each register their functions.
#include "addon.h"

NAPI_MODULE_INIT() {
  register_spawn(env, exports);
  register_json_escape(env, exports);
  register_pipe_reader(env, exports);
  register_output_pump(env, exports);
  return exports;
}
