// Escapes UTF-8 bytes into the inside of a JSON string, straight from a stage's output into the
// batch of log lines: the same bytes JSON.stringify gives for the decoded text, without decoding
// into a JavaScript string, escaping it and encoding it again (docs/performance.md). Only valid
// UTF-8 is escaped; anything else is refused, and the caller decodes it as before.
#include <stdint.h>
#include <string.h>

#include "addon.h"

static const uint64_t ONES = 0x0101010101010101ULL;
static const uint64_t HIGH = 0x8080808080808080ULL;

// The bytes of a word that need a look of their own (control characters, quote, backslash, bytes
// of multi-byte sequences), as their high bits. Each test is the zero-byte trick, whose lowest
// flagged byte is always exact: bytes above a flagged one may be flagged falsely, never below.
static inline uint64_t special_bytes(uint64_t word) {
  uint64_t control = (word - ONES * 0x20) & ~word;
  uint64_t quote = word ^ (ONES * '"');
  uint64_t backslash = word ^ (ONES * '\\');
  quote = (quote - ONES) & ~quote;
  backslash = (backslash - ONES) & ~backslash;
  return (word | control | quote | backslash) & HIGH;
}

// How many bytes of the word, in memory order, come before its first special byte.
static inline size_t plain_prefix(uint64_t special) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (size_t)__builtin_ctzll(special) / 8;
#else
  return (size_t)__builtin_clzll(special) / 8;
#endif
}

// The length of the valid UTF-8 sequence at source[0..available), or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF included, as the Unicode standard's
// table 3-7 has it). An incomplete sequence is not valid either.
static size_t sequence_length(const uint8_t* source, size_t available) {
  uint8_t lead = source[0];
  size_t length;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (available < length) return 0;
  if (source[1] < low || source[1] > high) return 0;
  for (size_t index = 2; index < length; index += 1)
    if (source[index] < 0x80 || source[index] > 0xBF) return 0;
  return length;
}

// The most escaping can need: 6 bytes per source byte (\u00XX), plus a word of slack.
static size_t worst_case(size_t source_length) { return source_length * 6 + 8; }

// Escapes source into target; returns the bytes written, -1 when source is not valid UTF-8, or
// -2 when target has less room than the worst case. Since no byte writes more than 6, the room
// left always covers the worst case of the bytes left, so the loop needs no checks of its own.
static int64_t escape(const uint8_t* source, size_t source_length, uint8_t* target, size_t capacity) {
  static const char hex[] = "0123456789abcdef";
  if (capacity < worst_case(source_length)) return -2;
  size_t in = 0;
  size_t out = 0;
  while (in < source_length) {
    if (source_length - in >= 8) {
      // Copies the word whole (the target has room) but keeps only its plain bytes.
      uint64_t word;
      memcpy(&word, source + in, 8);
      memcpy(target + out, &word, 8);
      uint64_t special = special_bytes(word);
      size_t plain = special == 0 ? 8 : plain_prefix(special);
      in += plain;
      out += plain;
      if (plain == 8) continue;
    }
    uint8_t byte = source[in];
    if (byte >= 0x80) {
      size_t length = sequence_length(source + in, source_length - in);
      if (length == 0) return -1;
      memcpy(target + out, source + in, length);
      in += length;
      out += length;
      continue;
    }
    in += 1;
    if (byte >= 0x20 && byte != '"' && byte != '\\') {
      target[out++] = byte;
      continue;
    }
    target[out++] = '\\';
    switch (byte) {
      case '"': target[out++] = '"'; break;
      case '\\': target[out++] = '\\'; break;
      case '\b': target[out++] = 'b'; break;
      case '\f': target[out++] = 'f'; break;
      case '\n': target[out++] = 'n'; break;
      case '\r': target[out++] = 'r'; break;
      case '\t': target[out++] = 't'; break;
      default:
        target[out++] = 'u';
        target[out++] = '0';
        target[out++] = '0';
        target[out++] = hex[byte >> 4];
        target[out++] = hex[byte & 0xF];
    }
  }
  return (int64_t)out;
}

static int byte_array(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  void* pointer;
  if (napi_get_typedarray_info(env, value, &type, length, &pointer, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array)
    return 0;
  *data = pointer;
  return 1;
}

// escapeJson(source: Uint8Array, target: Uint8Array, offset: number) -> number
// Writes source, escaped, into target from offset; returns the bytes written, -1 or -2 (above).
static napi_value escape_json(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t* source;
  uint8_t* target;
  size_t source_length;
  size_t target_length;
  int64_t offset;
  if (argc < 3 || !byte_array(env, argv[0], &source, &source_length) ||
      !byte_array(env, argv[1], &target, &target_length) ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || offset < 0 ||
      (size_t)offset > target_length) {
    napi_throw_type_error(env, NULL, "escapeJson(source: Uint8Array, target: Uint8Array, offset: number)");
    return NULL;
  }
  int64_t written = escape(source, source_length, target + offset, target_length - (size_t)offset);
  napi_value result;
  napi_create_int64(env, written, &result);
  return result;
}

void register_json_escape(napi_env env, napi_value exports) {
  napi_value function;
  napi_create_function(env, "escapeJson", NAPI_AUTO_LENGTH, escape_json, NULL, &function);
  napi_set_named_property(env, exports, "escapeJson", function);
}
