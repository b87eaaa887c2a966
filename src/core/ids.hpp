// Identifiers the service generates: request ids and UUIDs. Thread-safe (a per-thread
// generator seeded from the OS).
#pragma once

#include <string>
#include <string_view>

namespace onboardd::core {

// 32 lowercase hex characters, random.
std::string NewRequestId();

// `digits` (≥ 0) lowercase hex characters, random: W3C trace and span ids, request ids.
std::string RandomHex(int digits);

// A random (version 4) UUID in canonical form.
std::string NewUuid();

// True for a client-supplied request id we may echo: 1–128 characters of [A-Za-z0-9._:-].
bool IsAcceptableRequestId(std::string_view id);

// True for the canonical 36-character UUID form (any version), case-insensitive.
bool IsUuid(std::string_view text);

}  // namespace onboardd::core
