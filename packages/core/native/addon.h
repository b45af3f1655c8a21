// The compiled helpers of @codex/orchestrator-core, one N-API addon (build/codex-native.node).
// Each part adds its functions to the addon's exports.
#ifndef CODEX_ADDON_H
#define CODEX_ADDON_H

#include <node_api.h>

// spawn.c: spawn(), usable().
void register_spawn(napi_env env, napi_value exports);
// json-escape.c: escapeJson(), the escaping the output pump writes.
void register_json_escape(napi_env env, napi_value exports);
// pipe-reader.c: readPipes().
void register_pipe_reader(napi_env env, napi_value exports);
// output-pump.c: pumpOutput().
void register_output_pump(napi_env env, napi_value exports);

// addon.c: starts body(argument) on a detached thread with a small stack; 0 when it started.
int start_detached_thread(void* (*body)(void*), void* argument);

#endif
