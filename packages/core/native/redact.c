// Replaces secrets in a stage's output bytes, as the engine's Redactor replaces them in decoded
// text: secrets are valid UTF-8 starting with a whole character, and no decoder joins a byte
// sequence that starts with a whole character to the bytes before it, so searching the bytes finds
// exactly the places a search of the text finds.
#define _GNU_SOURCE
#include "redact.h"

#include <stdint.h>
#include <string.h>

// A secret that does not occur again, or was not searched for yet.
#define NOWHERE SIZE_MAX
#define UNSEARCHED (SIZE_MAX - 1)

size_t redacted_room(const secret_list* list, size_t length) {
  if (list->count == 0) return length;
  size_t shortest = list->secrets[list->count - 1].length;
  if (shortest == 0) shortest = 1;
  size_t growth = list->replacement.length > shortest ? list->replacement.length / shortest + 1 : 1;
  return length * growth;
}

static size_t find(const byte_text* secret, const uint8_t* text, size_t length, size_t from) {
  if (secret->length == 0 || from >= length) return NOWHERE;
  const uint8_t* found = memmem(text + from, length - from, secret->bytes, secret->length);
  return found == NULL ? NOWHERE : (size_t)(found - text);
}

size_t redact_bytes(secret_list* list, const uint8_t* text, size_t length, uint8_t* target) {
  for (size_t index = 0; index < list->count; index++) list->next[index] = UNSEARCHED;
  size_t at = 0;
  size_t out = 0;
  for (;;) {
    size_t best = NOWHERE;
    size_t best_length = 0;
    for (size_t index = 0; index < list->count; index++) {
      // Each secret is searched for again only once the text has moved past where it was found.
      size_t* place = &list->next[index];
      if (*place == UNSEARCHED || (*place != NOWHERE && *place < at))
        *place = find(&list->secrets[index], text, length, at);
      // Strictly earlier: at the same place, the longer secret (listed first) wins.
      if (*place < best) {
        best = *place;
        best_length = list->secrets[index].length;
      }
    }
    if (best == NOWHERE) break;
    memcpy(target + out, text + at, best - at);
    out += best - at;
    memcpy(target + out, list->replacement.bytes, list->replacement.length);
    out += list->replacement.length;
    at = best + best_length;
  }
  memcpy(target + out, text + at, length - at);
  return out + length - at;
}
