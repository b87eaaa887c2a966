// `onboardd audit verify [--org ID]` (SPEC §4.6, §10): recompute every organization's audit
// hash chain (and the per-user chains of rows without organization), or one organization's,
// and name the first broken link. The check itself is SQL, onboardd_private.
// audit_verify_chains() (migration "operations"), run as the owner role, which alone may read
// the whole log (0005's owner SELECT policy); this file runs it and words its answer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace onboardd::audit {

// One chain as audit_verify_chains() reports it.
struct ChainState {
  std::string chain_key;  // "org:<uuid>" or "user:<sub>"
  long long rows = 0;
  std::optional<long long> first_bad_seq;  // nullopt: intact
  std::optional<long long> first_bad_id;   // audit_log.id of that row, when it exists
  std::string problem;  // sequence, prev_hash, hash, missing_tail, head_mismatch; "" if intact

  bool intact() const { return !first_bad_seq.has_value(); }
};

// "org:<uuid>  12 rows  ok", or "... BROKEN at seq 2 (audit_log.id 345): <why>".
std::string FormatChainLine(const ChainState& chain);

// The chains of the log: all of them, or only organization `organization_id`'s (a uuid; an
// organization without audit rows yields no chain). Connects with `owner_url` (the owner
// role). Blocks the calling thread (a command, not a server path) for at most `timeout`.
// Errors: kUnavailable (cannot connect, timeout), kInternal (the database refused: not the
// owner, migrations missing — the message says).
core::Result<std::vector<ChainState>> VerifyChains(const std::string& owner_url,
                                                   const std::string& organization_id,
                                                   std::chrono::seconds timeout);

}  // namespace onboardd::audit
