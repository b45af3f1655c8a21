// Escapes UTF-8 bytes into the inside of a JSON string, straight from a stage's output into its
// log lines: the same bytes JSON.stringify gives for the decoded text, without decoding into a
// JavaScript string, escaping it and encoding it again (docs/performance.md). Invalid bytes become
// U+FFFD exactly as Node's (and every WHATWG) UTF-8 decoder replaces them: one per maximal
// subsequence that could start a character.
#include "json-escape.h"

#include <stdlib.h>
#include <string.h>

#include "addon.h"

static const uint64_t ONES = 0x0101010101010101ULL;
static const uint64_t HIGH = 0x8080808080808080ULL;
static const uint8_t REPLACEMENT[3] = {0xEF, 0xBF, 0xBD};  // U+FFFD

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

// What the bytes at source[0..available) start with, by the Unicode standard's table 3-7
// (no overlong forms, surrogates or code points past U+10FFFF): the length of a valid character
// (> 0); minus the length of the invalid subsequence that a decoder replaces with one U+FFFD
// (< 0); or 0 when they are the valid start of a character that `available` cuts short.
static int sequence_at(const uint8_t* source, size_t available) {
  uint8_t lead = source[0];
  int length;
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead < 0x80) {
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
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
    return -1;
  }
  for (int index = 1; index < length; index += 1) {
    if ((size_t)index >= available) return 0;
    if (source[index] < low || source[index] > high) return -index;
    low = 0x80;
    high = 0xBF;
  }
  return length;
}

// Copies the character at source to target + *out, as a decoder reads it: a valid one as it is,
// an invalid subsequence (or one cut short at the very end: the caller holds back what may still
// be finished) as one U+FFFD, setting *repaired. Returns the bytes of source it took.
static size_t copy_character(const uint8_t* source, size_t available, uint8_t* target, size_t* out,
                             int* repaired) {
  int sequence = sequence_at(source, available);
  if (sequence > 0) {
    memcpy(target + *out, source, (size_t)sequence);
    *out += (size_t)sequence;
    return (size_t)sequence;
  }
  memcpy(target + *out, REPLACEMENT, sizeof REPLACEMENT);
  *out += sizeof REPLACEMENT;
  *repaired = 1;
  return sequence == 0 ? available : (size_t)-sequence;
}

size_t json_escape_room(size_t length) { return length * 6 + 8; }

size_t utf8_finished_length(const uint8_t* source, size_t length) {
  // An unfinished character's lead byte is at most UTF8_UNFINISHED_MAX bytes before the end.
  size_t floor = length > UTF8_UNFINISHED_MAX ? length - UTF8_UNFINISHED_MAX : 0;
  for (size_t index = length; index > floor; index -= 1) {
    uint8_t byte = source[index - 1];
    if (byte < 0x80) return length;
    if (byte < 0xC0) continue;  // a continuation byte: the lead is further back
    return sequence_at(source + index - 1, length - index + 1) == 0 ? index - 1 : length;
  }
  return length;
}

size_t json_escape_utf8(const uint8_t* source, size_t length, uint8_t* target, int* repaired) {
  static const char hex[] = "0123456789abcdef";
  size_t in = 0;
  size_t out = 0;
  *repaired = 0;
  while (in < length) {
    if (length - in >= 8) {
      // Copies the word whole (the target has room: at most 6 bytes are written per byte read,
      // so the room left covers what is left) but keeps only its plain bytes.
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
      in += copy_character(source + in, length - in, target, &out, repaired);
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
  return out;
}

size_t utf8_repair(const uint8_t* source, size_t length, uint8_t* target) {
  size_t in = 0;
  size_t out = 0;
  int repaired;
  while (in < length) in += copy_character(source + in, length - in, target, &out, &repaired);
  return out;
}

// escapeJson(source: Uint8Array) -> Buffer: what the output pump writes into a log line for
// source, as a stream's last bytes. Exposed so that its escaping can be checked against Node's.
static napi_value escape_json(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t length = 0;
  void* source = NULL;
  napi_value arraybuffer;
  size_t offset;
  if (argc < 1 ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &source, &arraybuffer, &offset) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "escapeJson(source: Uint8Array)");
    return NULL;
  }
  uint8_t* target = malloc(json_escape_room(length));
  if (target == NULL) {
    napi_throw_error(env, NULL, "escapeJson: out of memory");
    return NULL;
  }
  int repaired;
  size_t written = json_escape_utf8(source, length, target, &repaired);
  napi_value result = NULL;
  napi_create_buffer_copy(env, written, target, NULL, &result);
  free(target);
  return result;
}

void register_json_escape(napi_env env, napi_value exports) {
  napi_value function;
  napi_create_function(env, "escapeJson", NAPI_AUTO_LENGTH, escape_json, NULL, &function);
  napi_set_named_property(env, exports, "escapeJson", function);
}
