// UTF-8 output as the inside of a JSON string (json-escape.c), for the output pump.
#ifndef CODEX_JSON_ESCAPE_H
#define CODEX_JSON_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

// The longest an unfinished UTF-8 character can be: what may wait for the next read.
#define UTF8_UNFINISHED_MAX 3

// The most escaping `length` bytes can write: 6 bytes per source byte (\u00XX), plus a word.
size_t json_escape_room(size_t length);

// How many bytes of source come before a character that is valid so far but unfinished at its end
// (all of them when there is none): those few bytes wait for the next read.
size_t utf8_finished_length(const uint8_t* source, size_t length);

// Writes source into target as the inside of a JSON string, given json_escape_room(length) of
// room: exactly what JSON.stringify gives for the text a UTF-8 decoder makes of source, where each
// maximal invalid subsequence becomes U+FFFD. Returns the bytes written; sets *repaired when source
// was not valid UTF-8.
size_t json_escape_utf8(const uint8_t* source, size_t length, uint8_t* target, int* repaired);

// Copies source into target (3 bytes of room per source byte) with each maximal invalid
// subsequence replaced by U+FFFD, as a decoder reads it. Returns the bytes written.
size_t utf8_repair(const uint8_t* source, size_t length, uint8_t* target);

#endif
