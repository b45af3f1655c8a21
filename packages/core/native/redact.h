// Secrets replaced in output bytes (redact.c), for the output pump.
#ifndef CODEX_REDACT_H
#define CODEX_REDACT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t* bytes;
  size_t length;
} byte_text;

typedef struct {
  byte_text* secrets;  // longest first
  size_t count;
  byte_text replacement;
  size_t* next;  // room for `count` places: where each secret occurs next
} secret_list;

// The most redacting `length` bytes can write.
size_t redacted_room(const secret_list* list, size_t length);

// Copies text into target with every secret replaced, as a regular expression of the secrets
// (longest first) replaces them globally: at the leftmost place any secret starts, the longest
// there. Returns the bytes written.
size_t redact_bytes(secret_list* list, const uint8_t* text, size_t length, uint8_t* target);

#endif
