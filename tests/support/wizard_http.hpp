// The wizard as a client speaks it to a real `onboardd serve` (tests/support/serve_process):
// dev tokens, step bodies, timed calls and the error envelope's code. Shared by the fault,
// crash and SIGTERM tests, which walk the wizard under load and then check that every
// acknowledged write is in the database. Test code only; every function is thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "auth/dev_token.hpp"
#include "support/db_harness.hpp"
#include "support/raw_http.hpp"
#include "support/serve_process.hpp"

namespace onboardd::testing {

// "Authorization: Bearer <a dev token for `user`>\r\n".
inline std::string DevBearer(const std::string& secret, const std::string& user) {
  auth::DevClaims claims;
  claims.sub = user;
  claims.email = user + "@example.com";
  claims.name = "Persona " + user;
  return "Authorization: Bearer " + auth::SignDevToken(secret, claims) + "\r\n";
}

inline boost::json::object WelcomeData() {
  return {{"role", "ceo"}, {"experienceLevel", "intermediate"}, {"hasSeenWelcome", true}};
}
inline boost::json::object CompanyData(std::string name) {
  return {{"name", std::move(name)}, {"industry", "technology"}, {"size", "startup"}};
}
inline boost::json::object OrganizationData() {
  return {{"teamSize", 12},
          {"structure", "flat"},
          {"methodology", "okrs"},
          {"collaborationStyle", "hybrid"},
          {"departments", boost::json::array{"Ventas", "Producto"}}};
}
inline std::string StepBody(int step, boost::json::object data) {
  return boost::json::serialize(boost::json::object{{"step", step}, {"data", std::move(data)}});
}

struct TimedReply {
  HttpReply reply;
  std::chrono::milliseconds took{0};
};

inline TimedReply TimedCall(unsigned short port, const std::string& method, const std::string& path,
                            const std::string& body, const std::string& headers,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto start = std::chrono::steady_clock::now();
  TimedReply out;
  out.reply = CallHttp(port, method, path, body, headers, timeout);
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return out;
}

// The envelope's "code" ("" when the body is not an error envelope).
inline std::string ErrorCodeOf(const HttpReply& reply) {
  if (!reply.json.is_object()) return "";
  const auto* code = reply.json.as_object().if_contains("code");
  return code && code->is_string() ? std::string(code->as_string()) : "";
}

// One user's walk through the wizard: steps 1..3 then complete, and which of them were
// answered 200 (acknowledged: they must be in the database).
struct WizardWalk {
  std::string user;
  std::string company;        // unique per walk: the stored step 2 must carry it
  bool acknowledged[5] = {};  // [1..3] the steps, [4] the completion

  struct Request {
    std::string path;
    std::string body;
  };
  // The request of stage `stage` (1..3: a step, 4: complete with no data: all from the draft).
  Request RequestOf(int stage) const {
    switch (stage) {
      case 1:
        return {"/api/onboarding/step", StepBody(1, WelcomeData())};
      case 2:
        return {"/api/onboarding/step", StepBody(2, CompanyData(company))};
      case 3:
        return {"/api/onboarding/step", StepBody(3, OrganizationData())};
      default:
        return {"/api/onboarding/complete", R"({"data":{}})"};
    }
  }
};

// `threads` clients walking the wizard against 127.0.0.1:`port` until Stop(), each walk a new
// user "<prefix><thread>-<n>", each request on a new connection; a walk ends at its first
// answer that is not 200. Every answer is recorded with the times it was sent and answered.
class WalkLoad {
 public:
  using Clock = std::chrono::steady_clock;
  struct Answer {
    int stage = 0;         // 1..3 a step, 4 complete
    int status = 0;        // 0: no complete response
    bool partial = false;  // some bytes, but not a whole response
    std::string code;      // the error envelope's code
    std::string body;
    Clock::time_point sent, answered;
  };

  WalkLoad(unsigned short port, std::string secret, std::string prefix, int threads,
           std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : port_(port), secret_(std::move(secret)), prefix_(std::move(prefix)), timeout_(timeout) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Client(t); });
  }
  ~WalkLoad() { Stop(); }
  WalkLoad(const WalkLoad&) = delete;
  WalkLoad& operator=(const WalkLoad&) = delete;

  // Ends every client after its current request; then walks() and answers() are complete.
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<WizardWalk> walks() const {
    std::lock_guard lock(mu_);
    return walks_;
  }
  std::vector<Answer> answers() const {
    std::lock_guard lock(mu_);
    return answers_;
  }
  int ok() const { return ok_; }
  // Connections refused (the listener closed): those requests were never sent.
  int refused() const { return refused_; }

 private:
  void Client(int t) {
    for (int n = 0; !stop_; ++n) {
      WizardWalk walk;
      walk.user = prefix_ + std::to_string(t) + "-" + std::to_string(n);
      walk.company = "Co " + walk.user;
      const std::string auth = DevBearer(secret_, walk.user);
      for (int stage = 1; stage <= 4 && !stop_; ++stage) {
        Answer a = Call(walk.RequestOf(stage), auth);
        if (a.status == -1) {  // refused: not sent
          ++refused_;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          --stage;
          continue;
        }
        a.stage = stage;
        const bool ok = a.status == 200;
        walk.acknowledged[stage] = ok;
        ok_ += ok ? 1 : 0;
        {
          std::lock_guard lock(mu_);
          answers_.push_back(std::move(a));
        }
        if (!ok) {  // a client backs off a little before trying again
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          break;
        }
      }
      std::lock_guard lock(mu_);
      walks_.push_back(walk);
    }
  }

  Answer Call(const WizardWalk::Request& r, const std::string& auth) {
    Answer a;
    std::unique_ptr<RawConnection> c;
    try {
      c = std::make_unique<RawConnection>(port_);
    } catch (const std::runtime_error&) {
      a.status = -1;
      return a;
    }
    a.sent = Clock::now();
    c->Send("POST " + r.path + " HTTP/1.1\r\nHost: t\r\n" + auth +
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
            "\r\n\r\n" + r.body);
    const std::string raw = c->ReadResponses(1, timeout_);
    a.answered = Clock::now();
    const auto responses = RawConnection::Split(raw);
    a.partial = responses.empty() && !raw.empty();
    if (responses.empty()) return a;
    a.status = StatusOf(responses[0]);
    const auto end = responses[0].find("\r\n\r\n");
    a.body = end == std::string::npos ? "" : responses[0].substr(end + 4);
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(a.body, ec);
    if (!ec && v.is_object()) {
      if (const auto* code = v.as_object().if_contains("code"); code && code->is_string()) {
        a.code = code->as_string();
      }
    }
    return a;
  }

  const unsigned short port_;
  const std::string secret_;
  const std::string prefix_;
  const std::chrono::milliseconds timeout_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, refused_{0};
  mutable std::mutex mu_;
  std::vector<WizardWalk> walks_;
  std::vector<Answer> answers_;
  std::vector<std::thread> threads_;
};

// The walk's acknowledged writes are in the database (read by `super`, a superuser harness):
// each acknowledged step in the user's latest session, the company name as sent; after an
// acknowledged completion, the organization with its owner membership and the profile.
inline void ExpectWalkStored(PoolHarness& super, const WizardWalk& walk) {
  bool any = false;
  for (int stage = 1; stage <= 4; ++stage) any = any || walk.acknowledged[stage];
  if (!any) return;
  const char* keys[] = {"", "welcome", "company", "organization"};
  db::TenantTransaction tx(Context("", /*read_only=*/true, std::chrono::seconds(10)));
  tx.Add(db::Statement{"walk_stored",
                       "select s.form_data ? 'welcome', s.form_data ? 'company', "
                       "s.form_data ? 'organization', s.form_data->'company'->>'name', "
                       "(select count(*) from public.organizations o "
                       "  join public.organization_members m on m.organization_id = o.id "
                       "   and m.user_id = o.created_by and m.role = 'owner' "
                       "  join public.profiles p on p.organization_id = o.id "
                       "   and p.user_id = o.created_by "
                       "  where o.created_by = $1) "
                       "from public.onboarding_sessions s where s.user_id = $1 "
                       "order by s.created_at desc limit 1"},
         {db::Param(walk.user)});
  auto rows = super.Commit(std::move(tx));
  ASSERT_TRUE(rows.has_value()) << rows.error().message.en;
  const db::Rows& r = (*rows)[0];
  ASSERT_EQ(r.size(), 1) << walk.user << ": acknowledged writes but no session";
  for (int step = 1; step <= 3; ++step) {
    if (walk.acknowledged[step]) {
      EXPECT_EQ(std::string(r.Get(0, step - 1)), "t")
          << walk.user << ": step " << step << " (" << keys[step] << ") was acknowledged";
    }
  }
  if (walk.acknowledged[2]) {
    EXPECT_EQ(std::string(r.Get(0, 3)), walk.company) << walk.user;
  }
  if (walk.acknowledged[4]) {
    EXPECT_EQ(std::string(r.Get(0, 4)), "1")
        << walk.user << ": completion acknowledged, organization+owner+profile missing";
  }
}

// Organizations created by users whose id starts with `prefix` that lack their owner
// membership or the creator's profile: a half-completed onboarding (must be 0).
inline std::string HalfCompletedOrganizations(PoolHarness& super, const std::string& prefix) {
  return Scalar(super,
                "select count(*) from public.organizations o where o.created_by like $1 || '%' "
                "and (not exists (select 1 from public.organization_members m "
                "  where m.organization_id = o.id and m.user_id = o.created_by "
                "  and m.role = 'owner') "
                " or not exists (select 1 from public.profiles p "
                "  where p.organization_id = o.id and p.user_id = o.created_by))",
                prefix);
}

// After a load: every acknowledged step and completion of `load` is stored, at least one
// completion was acknowledged, and no organization of `prefix`'s users is half-completed.
// Checked as the superuser (DATABASE_SUPERUSER_URL).
inline void ExpectLoadStored(const WalkLoad& load, const std::string& prefix) {
  db::PoolOptions options;
  options.conninfo = RequireEnv("DATABASE_SUPERUSER_URL");
  options.connections = 1;
  options.use_prepared = false;
  PoolHarness super(options);
  int completed = 0;
  for (const auto& walk : load.walks()) {
    ExpectWalkStored(super, walk);
    completed += walk.acknowledged[4] ? 1 : 0;
  }
  EXPECT_GT(completed, 0);
  EXPECT_EQ(HalfCompletedOrganizations(super, prefix), "0");
}

}  // namespace onboardd::testing
