// Idempotency-Key: claim, run, remember. The claim and the stored answer are two small
// transactions around the handler's own; see the header for the rules.
#include "onboarding/idempotency.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "catalog/snapshot.hpp"
#include "db/pg_pool.hpp"
#include "db/tenant_transaction.hpp"
#include "http/error_response.hpp"

namespace onboardd::onboarding {

namespace asio = boost::asio;
namespace json = boost::json;
using db::Param;
using db::Statement;
using http::Request;
using http::Response;

namespace {

#define ONBOARDD_ME "onboardd_private.current_user_id()"

// $1 key: expired keys and claims abandoned by a crashed request make room for a new claim.
constexpr Statement kReclaim{"idem_reclaim",
                             "delete from public.idempotency_keys where user_id = " ONBOARDD_ME
                             " and key = $1 and "
                             "(expires_at <= now() or (response_status is null and created_at < "
                             "now() - interval '60 seconds'))"};

// $1 key, $2 route, $3 request hash. Row: claimed (1/0), then the existing claim's route,
// hash, status, body and headers (when not claimed).
constexpr Statement kClaim{
    "idem_claim",
    "with ins as (insert into public.idempotency_keys (user_id, key, route, request_hash) values "
    "(" ONBOARDD_ME
    ", $1, $2, $3) on conflict (user_id, key) do nothing returning 1) "
    "select (select count(*) from ins), k.route, k.request_hash, k.response_status, "
    "k.response_body, k.response_headers::text "
    "from (select 1) as one left join public.idempotency_keys k on k.user_id = " ONBOARDD_ME
    " and k.key = $1"};

// $1 key, $2 status, $3 body, $4 headers ([[name, value], ...]).
constexpr Statement kRemember{
    "idem_remember",
    "update public.idempotency_keys set response_status = $2::int, response_body = $3, "
    "response_headers = $4::jsonb, completed_at = now() where user_id = " ONBOARDD_ME
    " and key = $1"};

// $1 most rows: the periodic purge (no identity: SECURITY DEFINER, expired keys only).
constexpr Statement kPurge{"idem_purge", "select onboardd_private.purge_idempotency_keys($1::int)"};

// The headers that carry meaning for the client and must come back with a replay: versions,
// ids of what was created, the state a session answer reports, where to go, when to retry.
// Everything else (Content-Type is always JSON here, Cache-Control, Vary) is the route's
// constant and needs no storing.
constexpr std::string_view kReplayedHeaders[] = {"ETag",
                                                 "x-session-id",
                                                 "x-step-number",
                                                 "x-validation-status",
                                                 "x-organization-id",
                                                 "x-onboarding-completed",
                                                 "Location",
                                                 "Retry-After"};

bool IsReplayedHeader(std::string_view name) {
  for (std::string_view kept : kReplayedHeaders) {
    if (boost::beast::iequals(name, kept)) return true;
  }
  return false;
}

// The answer's significant headers as JSON text: [[name, value], ...].
std::string StoredHeaders(const Response& response) {
  json::array headers;
  for (const auto& [name, value] : response.headers) {
    if (IsReplayedHeader(name)) {
      headers.push_back(json::array{json::value(name), json::value(value)});
    }
  }
  return json::serialize(headers);
}

// The stored headers back onto a replay (malformed JSON: none; it was written by us).
void RestoreHeaders(std::string_view stored, Response& replay) {
  boost::system::error_code ec;
  json::value headers = json::parse(stored, ec);
  if (ec || !headers.is_array()) return;
  for (const json::value& pair : headers.as_array()) {
    if (!pair.is_array() || pair.as_array().size() != 2 || !pair.as_array()[0].is_string() ||
        !pair.as_array()[1].is_string()) {
      continue;
    }
    replay.With(std::string(pair.as_array()[0].as_string()),
                std::string(pair.as_array()[1].as_string()));
  }
}

// $1 key.
constexpr Statement kRelease{"idem_release",
                             "delete from public.idempotency_keys where user_id = " ONBOARDD_ME
                             " and key = $1 and response_status is null"};

bool AcceptableKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

db::TenantContext ContextOf(const Request& request) {
  db::TenantContext context;
  context.user_id = request.principal ? request.principal->user_id : std::string();
  context.request_id = request.request_id;
  context.deadline = request.deadline;
  context.read_only = false;
  return context;
}

core::Error KeyError(std::string es, std::string en) {
  return core::ValidationError({{"Idempotency-Key", {std::move(es), std::move(en)}}});
}

asio::awaitable<core::Result<Response>> Run(std::shared_ptr<const db::Pools> pools,
                                            std::string route, http::Handler handler,
                                            Request request) {
  const std::string key(request.Header("Idempotency-Key"));
  if (key.empty()) co_return co_await handler(std::move(request));
  if (!AcceptableKey(key)) {
    co_return KeyError("Debe tener de 1 a 255 caracteres ASCII visibles",
                       "Must be 1 to 255 visible ASCII characters");
  }
  auto found = pools->For(request.worker);
  if (!found || !request.principal) co_return co_await handler(std::move(request));
  db::Pool* pool = *found;
  const std::string hash = catalog::StrongEtag(request.body());
  const db::TenantContext context = ContextOf(request);

  db::TenantTransaction claim(context);
  claim.Add(kReclaim, {Param(key)});
  std::size_t claimed_at = claim.Add(kClaim, {Param(key), Param(route), Param(hash)});
  auto claimed = co_await claim.Commit(*pool);
  if (!claimed) co_return claimed.error();
  const db::Rows& row = (*claimed)[claimed_at];
  if (row.empty()) co_return core::MakeError(core::ErrorCode::kInternal);
  if (row.Get(0, 0) != "1") {
    if (row.IsNull(0, 1)) {
      // Released between the insert and the read: a concurrent request just failed.
      co_return core::MakeError(core::ErrorCode::kConflict);
    }
    if (row.Get(0, 1) != route || row.Get(0, 2) != hash) {
      co_return KeyError("Esta clave ya se usó con otra petición",
                         "This key was already used with another request");
    }
    if (row.IsNull(0, 3)) {
      co_return core::MakeError(core::ErrorCode::kConflict,
                                {"Una petición con esta clave sigue en curso",
                                 "A request with this key is still in progress"});
    }
    Response replay;
    replay.status =
        static_cast<http::beast_http::status>(std::atoi(std::string(row.Get(0, 3)).c_str()));
    replay.body = std::string(row.Get(0, 4));
    if (!row.IsNull(0, 5)) RestoreHeaders(row.Get(0, 5), replay);
    replay.With("Idempotent-Replayed", "true");
    co_return replay;
  }

  auto result = co_await handler(request);
  // The handler's error becomes its envelope here, so that a 4xx is remembered like a 2xx.
  Response response = result ? std::move(*result) : http::ErrorResponse(result.error(), request);
  const int status = static_cast<int>(response.status);
  db::TenantTransaction remember(context);
  if (status >= 500) {
    remember.Add(kRelease, {Param(key)});
  } else {
    // The replay body, when the route gave one (POST /step: no inline image bytes).
    const std::string& stored = response.replay_body ? *response.replay_body : response.body;
    remember.Add(kRemember, {Param(key), Param(std::to_string(status)), Param(stored),
                             Param(StoredHeaders(response))});
  }
  (void)co_await remember.Commit(*pool);  // failing to remember only costs the replay
  response.replay_body.reset();
  co_return response;
}

}  // namespace

asio::awaitable<core::Result<int>> PurgeIdempotencyKeys(db::Pool& pool, core::Deadline deadline,
                                                        int max_rows) {
  db::TenantContext context;
  context.request_id = "purge-idempotency-keys";
  context.deadline = deadline;
  context.read_only = false;
  db::TenantTransaction tx(std::move(context));
  std::size_t index = tx.Add(kPurge, {Param(std::to_string(max_rows))});
  auto rows = co_await tx.Commit(pool);
  if (!rows) co_return rows.error();
  const db::Rows& r = (*rows)[index];
  co_return r.empty() ? 0 : std::atoi(std::string(r.Get(0, 0)).c_str());
}

http::Handler WithIdempotency(std::shared_ptr<const db::Pools> pools, std::string route,
                              http::Handler handler) {
  return [pools = std::move(pools), route = std::move(route), handler = std::move(handler)](
             Request request) { return Run(pools, route, handler, std::move(request)); };
}

}  // namespace onboardd::onboarding
