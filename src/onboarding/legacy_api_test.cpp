// The contract of ../shared/LEGACY_API.md §2–§3, one test per row of its tables, written from
// the document (names, defaults, shapes, headers), not from what the code answers. Over real
// sockets against real PostgreSQL as the app role (tests/support/onboarding_api_server.hpp).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "support/onboarding_api_server.hpp"

namespace onboardd::onboarding {
namespace {

namespace json = boost::json;
using Reply = testing::ApiReply;
using testing::Contains;

// LEGACY_API §2, "Shapes": every session carries at least these keys.
const std::vector<std::string> kSessionKeys = {
    "id",         "user_id",        "status",      "current_step",          "total_steps",
    "form_data",  "ai_suggestions", "ai_analysis", "completion_percentage", "completed_at",
    "expires_at", "created_at",     "updated_at"};

void ExpectSessionShape(const json::value& session) {
  ASSERT_TRUE(session.is_object()) << json::serialize(session);
  for (const std::string& key : kSessionKeys) {
    EXPECT_TRUE(session.as_object().contains(key)) << "session lacks " << key;
  }
  EXPECT_TRUE(session.at("form_data").is_object());
}

// LEGACY_API §2, "Shapes": a step info.
void ExpectStepInfoShape(const json::value& info, int number, std::string_view name) {
  ASSERT_TRUE(info.is_object()) << json::serialize(info);
  EXPECT_EQ(info.at("step_number"), number);
  EXPECT_EQ(info.at("step_name"), json::value(name));
  EXPECT_TRUE(info.at("title").is_string());
  EXPECT_TRUE(info.at("description").is_string());
  ASSERT_TRUE(info.at("fields").is_array());
  for (const json::value& f : info.at("fields").as_array()) {
    EXPECT_TRUE(f.at("name").is_string());
    const std::string type(f.at("type").as_string());
    static const std::set<std::string> kTypes = {"text",        "email",    "select",
                                                 "multiselect", "textarea", "number"};
    EXPECT_TRUE(kTypes.contains(type)) << type;
    EXPECT_TRUE(f.at("label").is_string());
    EXPECT_TRUE(f.at("required").is_bool());
    if (type == "select" || type == "multiselect") {
      EXPECT_TRUE(f.as_object().contains("options")) << f.at("name");
    }
  }
}

// Valid answers for each step of the 5-step flow, as LEGACY_API §2 lists its fields.
json::object StepData(int step) {
  switch (step) {
    case 1:
      return {{"full_name", "Ana Pérez"},
              {"job_title", "Directora de operaciones"},
              {"experience_with_okr", "beginner"},
              {"primary_goal", "Alinear a los equipos"},
              {"urgency_level", "high"}};
    case 2:
      return {{"company_name", "Legado SL"},
              {"industry_id", "consulting"},
              {"company_size", "pyme"},
              {"description", "Consultoría de procesos"},
              {"website", "https://legado.example"},
              {"country", "España"},
              {"employee_count", 30}};
    case 3:
      return {{"department", "Operaciones"},
              {"team_size", 12},
              {"okr_maturity", "beginner"},
              {"current_challenges", json::array{"alignment", "focus"}},
              {"business_goals", json::array{"operational_efficiency", "team_development"}}};
    case 4:
      return {{"communication_style", "informal"},
              {"language", "es"},
              {"notification_frequency", "weekly"},
              {"focus_areas", json::array{"strategy", "execution"}},
              {"ai_assistance_level", "moderate"}};
    default:
      return {{"confirmed", "true"}, {"setup_demo", "later"}, {"invite_team_members", "soon"}};
  }
}

class LegacyApiTest : public testing::OnboardingApiServer {
 protected:
  static Reply Start(const std::string& user, json::object body = {}) {
    return Post("/api/onboarding/start", body, user);
  }
  static std::string StartedId(const std::string& user) {
    Reply r = Start(user);
    EXPECT_TRUE(r.status == 200 || r.status == 201) << r.body;
    return r.Str({"session", "id"});
  }
  static Reply Progress(const std::string& user, const std::string& id, int step, json::object data,
                        bool completed = true, json::object extra = {}) {
    json::object body{{"session_id", id},
                      {"step_number", step},
                      {"step_data", std::move(data)},
                      {"completed", completed}};
    for (auto& [k, v] : extra) body[k] = v;
    return Put("/api/onboarding/progress", body, user);
  }
  // Starts a session and completes all five steps.
  static std::string Walked(const std::string& user) {
    const std::string id = StartedId(user);
    for (int step = 1; step <= 5; ++step) {
      Reply r = Progress(user, id, step, StepData(step));
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.Header("x-validation-status"), "valid") << step << " " << r.body;
    }
    return id;
  }
  static std::set<std::string> Keys(const json::value& v) {
    std::set<std::string> keys;
    if (v.is_object()) {
      for (const auto& [k, value] : v.as_object()) keys.emplace(k);
    }
    return keys;
  }
};

// §2 POST /start: user_preferences defaults, context, the answer and its headers.
TEST_F(LegacyApiTest, StartAnswersSessionNextStepGreetingAndHeaders) {
  const std::string user = NewUser("start");
  Reply r = Start(
      user,
      json::object{{"context", json::object{{"source", "landing"},
                                            {"utm_params", json::object{{"utm_source", "ads"}}}}}});
  ASSERT_TRUE(r.status == 200 || r.status == 201) << r.body;
  ExpectSessionShape(r.At({"session"}));
  EXPECT_EQ(r.Str({"session", "status"}), "in_progress");
  EXPECT_EQ(r.At({"session", "current_step"}), json::value(1));
  EXPECT_EQ(r.At({"session", "total_steps"}), json::value(5));
  ExpectStepInfoShape(r.At({"next_step"}), 1, "welcome");
  EXPECT_FALSE(r.Str({"ai_greeting"}).empty());
  EXPECT_EQ(r.Header("x-session-id"), r.Str({"session", "id"}));
  EXPECT_EQ(r.Header("x-step-number"), "1");
  // Preferences (with their defaults) and context are kept in form_data.
  EXPECT_EQ(r.At({"session", "form_data", "user_preferences"}),
            json::parse(R"({"language": "es", "communication_style": "formal",
                            "experience_level": "beginner"})"));
  EXPECT_EQ(r.Str({"session", "form_data", "context", "source"}), "landing");
  EXPECT_EQ(r.Str({"session", "form_data", "context", "utm_params", "utm_source"}), "ads");
  // Bad preferences are named.
  Reply bad = Start(NewUser("start-bad"),
                    json::object{{"user_preferences", json::object{{"language", "fr"}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(Contains(bad.DetailPaths(), "user_preferences.language")) << bad.body;
  Reply bad_utm =
      Start(NewUser("start-utm"),
            json::object{{"context", json::object{{"utm_params", json::object{{"a", 1}}}}}});
  EXPECT_EQ(bad_utm.status, 400);
}

// §2 POST /start: the greeting in es/en × formal/informal.
TEST_F(LegacyApiTest, GreetingFollowsLanguageAndStyle) {
  std::set<std::string> greetings;
  for (std::string language : {"es", "en"}) {
    for (std::string style : {"formal", "informal"}) {
      Reply r = Start(
          NewUser("greet"),
          json::object{{"user_preferences",
                        json::object{{"language", language}, {"communication_style", style}}}});
      ASSERT_TRUE(r.status == 200 || r.status == 201) << r.body;
      greetings.insert(r.Str({"ai_greeting"}));
      EXPECT_EQ(r.At({"session", "form_data", "user_preferences", "language"}),
                json::value(language));
    }
  }
  EXPECT_EQ(greetings.size(), 4u);
}

// §2 POST /start: resumes the latest in-progress session unless `restart` (the old one
// becomes abandoned).
TEST_F(LegacyApiTest, StartResumesUnlessRestart) {
  const std::string user = NewUser("resume");
  const std::string first = StartedId(user);
  Reply again = Start(user);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Str({"session", "id"}), first);
  Reply restarted = Start(user, json::object{{"restart", true}});
  ASSERT_TRUE(restarted.status == 200 || restarted.status == 201) << restarted.body;
  EXPECT_NE(restarted.Str({"session", "id"}), first);
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where id = $1::uuid", first),
            "abandoned");
  EXPECT_EQ(Start(user, json::object{{"restart", "yes"}}).status, 400) << "restart is a bool";
}

// §2 GET /start.
TEST_F(LegacyApiTest, GetStartSaysWhetherASessionIsActive) {
  const std::string user = NewUser("getstart");
  Reply none = Get("/api/onboarding/start", user);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.At({"has_active_session"}), json::value(false));
  EXPECT_FALSE(none.Str({"message"}).empty());
  const std::string id = StartedId(user);
  Reply some = Get("/api/onboarding/start", user);
  ASSERT_EQ(some.status, 200) << some.body;
  EXPECT_EQ(some.At({"has_active_session"}), json::value(true));
  EXPECT_EQ(some.Str({"session", "id"}), id);
  ExpectSessionShape(some.At({"session"}));
  ExpectStepInfoShape(some.At({"next_step"}), 1, "welcome");
}

// §2 PUT /progress: required fields and defaults (step_data {}, completed false,
// skipped false, auto_advance true).
TEST_F(LegacyApiTest, ProgressRequiresSessionAndStepAndDefaultsTheRest) {
  const std::string user = NewUser("progress-req");
  const std::string id = StartedId(user);
  Reply no_session = Put("/api/onboarding/progress",
                         json::object{{"step_number", 1}, {"step_data", json::object{}}}, user);
  EXPECT_EQ(no_session.status, 400);
  EXPECT_TRUE(Contains(no_session.DetailPaths(), "session_id")) << no_session.body;
  Reply no_step = Put("/api/onboarding/progress", json::object{{"session_id", id}}, user);
  EXPECT_EQ(no_step.status, 400);
  EXPECT_TRUE(Contains(no_step.DetailPaths(), "step_number")) << no_step.body;
  EXPECT_EQ(
      Put("/api/onboarding/progress", json::object{{"session_id", id}, {"step_number", 6}}, user)
          .status,
      400)
      << "1..5";
  // step_data absent means {}: saved, judged invalid, 200.
  Reply empty =
      Put("/api/onboarding/progress", json::object{{"session_id", id}, {"step_number", 1}}, user);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Header("x-validation-status"), "invalid");
  // completed defaults to false: valid data alone does not complete the step.
  Reply valid =
      Put("/api/onboarding/progress",
          json::object{{"session_id", id}, {"step_number", 1}, {"step_data", StepData(1)}}, user);
  ASSERT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(valid.Header("x-validation-status"), "valid");
  EXPECT_EQ(valid.At({"progress", "is_completed"}), json::value(false));
  EXPECT_EQ(valid.At({"session", "current_step"}), json::value(1));
  EXPECT_EQ(valid.At({"session", "completion_percentage"}), json::value(0));
}

// §2 PUT /progress: the answer and the upsert, valid and invalid.
TEST_F(LegacyApiTest, ProgressUpsertsTheStepAndAnswersFeedback) {
  const std::string user = NewUser("progress");
  const std::string id = StartedId(user);
  Reply r = Progress(user, id, 1, StepData(1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("x-validation-status"), "valid");
  ExpectSessionShape(r.At({"session"}));
  EXPECT_FALSE(r.Str({"ai_feedback"}).empty());
  EXPECT_FALSE(r.Has({"validation_errors"}));
  const std::set<std::string> row = Keys(r.At({"progress"}));
  for (std::string key : {"session_id", "step_number", "step_name", "data", "is_completed",
                          "is_skipped", "is_valid", "errors"}) {
    EXPECT_TRUE(row.contains(key)) << "progress lacks " << key;
  }
  EXPECT_EQ(r.At({"progress", "is_completed"}), json::value(true));
  EXPECT_EQ(r.Str({"progress", "step_name"}), "welcome");
  // form_data[step_name] = step_data
  EXPECT_EQ(r.Str({"session", "form_data", "welcome", "full_name"}), "Ana Pérez");
  // Advanced: current_step 2, 40 % (max(2/5, 1/5)), and the next step's info.
  EXPECT_EQ(r.At({"session", "current_step"}), json::value(2));
  EXPECT_EQ(r.At({"session", "completion_percentage"}), json::value(40));
  ExpectStepInfoShape(r.At({"next_step"}), 2, "company");

  // Invalid data: 200, saved as sent, not completed, no advance, validation_errors named.
  Reply bad = Progress(user, id, 2, json::object{{"company_name", "X"}});
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_EQ(bad.Header("x-validation-status"), "invalid");
  ASSERT_TRUE(bad.At({"validation_errors"}).is_array());
  std::set<std::string> fields;
  for (const json::value& e : bad.At({"validation_errors"}).as_array()) {
    fields.emplace(e.at("field").as_string());
    EXPECT_FALSE(e.at("message").as_string().empty());
  }
  EXPECT_TRUE(fields.contains("company.company_name")) << bad.body;
  EXPECT_TRUE(fields.contains("company.company_size")) << bad.body;
  EXPECT_EQ(bad.At({"progress", "is_completed"}), json::value(false));
  EXPECT_EQ(bad.At({"progress", "is_valid"}), json::value(false));
  EXPECT_EQ(bad.Str({"session", "form_data", "company", "company_name"}), "X");
  EXPECT_EQ(bad.At({"session", "current_step"}), json::value(2));
  EXPECT_EQ(
      Count("select count(*) from public.onboarding_progress where session_id = $1::uuid", id), 2);
  // The same step again replaces its row.
  Reply fixed = Progress(user, id, 2, StepData(2));
  EXPECT_EQ(fixed.Header("x-validation-status"), "valid");
  EXPECT_EQ(fixed.At({"session", "current_step"}), json::value(3));
  EXPECT_EQ(
      Count("select count(*) from public.onboarding_progress where session_id = $1::uuid", id), 2);
}

// §2 PUT /progress: current_step advances only when auto_advance && (completed || skipped)
// && valid && step_number == current_step; the percentage never decreases.
TEST_F(LegacyApiTest, ProgressAdvancesOnlyByTheRule) {
  const std::string user = NewUser("advance");
  const std::string id = StartedId(user);
  Reply no_auto = Progress(user, id, 1, StepData(1), true, {{"auto_advance", false}});
  ASSERT_EQ(no_auto.status, 200) << no_auto.body;
  EXPECT_EQ(no_auto.At({"session", "current_step"}), json::value(1)) << "auto_advance false";
  EXPECT_EQ(no_auto.At({"progress", "is_completed"}), json::value(true));
  EXPECT_EQ(no_auto.At({"session", "completion_percentage"}), json::value(20)) << "1 of 5 done";
  Reply ahead = Progress(user, id, 3, StepData(3));
  EXPECT_EQ(ahead.At({"session", "current_step"}), json::value(1)) << "not the current step";
  EXPECT_EQ(ahead.At({"session", "completion_percentage"}), json::value(40)) << "2 of 5 done";
  Reply current = Progress(user, id, 1, StepData(1));
  EXPECT_EQ(current.At({"session", "current_step"}), json::value(2));
  Reply skip_invalid = Progress(user, id, 2, json::object{}, false, {{"skipped", true}});
  EXPECT_EQ(skip_invalid.Header("x-validation-status"), "invalid")
      << "the company step cannot be skipped empty";
  EXPECT_EQ(skip_invalid.At({"session", "current_step"}), json::value(2));
  // Re-saving an earlier step as not completed never lowers the percentage.
  Reply undo = Progress(user, id, 1, StepData(1), false);
  EXPECT_EQ(undo.At({"session", "completion_percentage"}), json::value(40));
  EXPECT_EQ(undo.At({"progress", "is_completed"}), json::value(false));
}

// §2 GET /progress?session_id=
TEST_F(LegacyApiTest, GetProgressAnswersSessionRowsAndCurrentStepInfo) {
  const std::string user = NewUser("getprogress");
  const std::string id = StartedId(user);
  ASSERT_EQ(Progress(user, id, 1, StepData(1)).status, 200);
  Reply r = Get("/api/onboarding/progress?session_id=" + id, user);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectSessionShape(r.At({"session"}));
  ASSERT_TRUE(r.At({"progress"}).is_array());
  ASSERT_EQ(r.At({"progress"}).as_array().size(), 1u);
  EXPECT_EQ(r.At({"progress"}).as_array()[0].at("step_number"), 1);
  ExpectStepInfoShape(r.At({"current_step_info"}), 2, "company");
}

// §2 GET /session/{id}: the session, progress[], metrics.
TEST_F(LegacyApiTest, GetSessionAnswersMetrics) {
  const std::string user = NewUser("metrics");
  const std::string id = StartedId(user);
  ASSERT_EQ(Progress(user, id, 1, StepData(1), true, {{"time_spent_seconds", 120}}).status, 200);
  Reply r = Get("/api/onboarding/session/" + id, user);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectSessionShape(r.At({"session"}));
  EXPECT_EQ(r.At({"progress"}).as_array().size(), 1u);
  EXPECT_EQ(r.At({"metrics", "completed_steps"}), json::value(1));
  EXPECT_EQ(r.At({"metrics", "skipped_steps"}), json::value(0));
  EXPECT_EQ(r.At({"metrics", "remaining_steps"}), json::value(4));
  EXPECT_EQ(r.At({"metrics", "total_time_minutes"}), json::value(2));
  EXPECT_EQ(r.At({"metrics", "estimated_remaining_minutes"}), json::value(12)) << "remaining × 3";
}

// §2 PATCH /session/{id}.
TEST_F(LegacyApiTest, PatchUpdatesTheGivenFieldsOr400) {
  const std::string user = NewUser("patch");
  const std::string id = StartedId(user);
  Reply r = Call("PATCH", "/api/onboarding/session/" + id,
                 R"({"current_step": 3, "form_data": {"notes": {"x": 1}},
                     "ai_suggestions": {"industry": "consulting"}, "ai_analysis": {"score": 80}})",
                 user);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectSessionShape(r.At({"session"}));
  EXPECT_EQ(r.At({"session", "current_step"}), json::value(3));
  EXPECT_EQ(r.At({"session", "form_data", "notes", "x"}), json::value(1));
  EXPECT_TRUE(r.Has({"session", "form_data", "user_preferences"})) << "merged, not replaced";
  EXPECT_EQ(r.Str({"session", "ai_suggestions", "industry"}), "consulting");
  EXPECT_EQ(r.At({"session", "ai_analysis", "score"}), json::value(80));
  Reply nothing = Call("PATCH", "/api/onboarding/session/" + id, R"({"unknown": 1})", user);
  EXPECT_EQ(nothing.status, 400) << nothing.body;
  ASSERT_EQ(Call("DELETE", "/api/onboarding/session/" + id, "", user).status, 200);
  Reply closed = Call("PATCH", "/api/onboarding/session/" + id, R"({"current_step": 2})", user);
  EXPECT_EQ(closed.status, 400) << "not in progress: " << closed.body;
}

// §2 DELETE /session/{id}: {success, message}, abandoned; 400 when already completed.
TEST_F(LegacyApiTest, DeleteAbandonsAndRefusesCompletedSessions) {
  const std::string user = NewUser("delete");
  const std::string id = StartedId(user);
  Reply r = Call("DELETE", "/api/onboarding/session/" + id, "", user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.At({"success"}), json::value(true));
  EXPECT_FALSE(r.Str({"message"}).empty());
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where id = $1::uuid", id),
            "abandoned");

  const std::string done_user = NewUser("delete-done");
  const std::string done = Walked(done_user);
  ASSERT_EQ(Post("/api/onboarding/complete",
                 json::object{{"session_id", done}, {"create_organization", false}}, done_user)
                .status,
            200);
  Reply refused = Call("DELETE", "/api/onboarding/session/" + done, "", done_user);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where id = $1::uuid", done),
            "completed");
}

// §2 POST /complete (session form): the answer, its headers, and the organization.
TEST_F(LegacyApiTest, CompleteCreatesTheOrganizationAndAnswersTheTexts) {
  const std::string user = NewUser("complete");
  const std::string id = Walked(user);
  Reply r = Post(
      "/api/onboarding/complete",
      json::object{
          {"session_id", id},
          {"final_data", json::object{{"review", json::object{{"additional_notes", "Gracias"}}}}},
          {"create_organization", true}},
      user);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectSessionShape(r.At({"session"}));
  EXPECT_EQ(r.Str({"session", "status"}), "completed");
  EXPECT_EQ(r.At({"session", "completion_percentage"}), json::value(100));
  EXPECT_EQ(r.Str({"session", "form_data", "review", "additional_notes"}), "Gracias");
  EXPECT_EQ(r.Str({"organization", "name"}), "Legado SL");
  EXPECT_FALSE(r.Str({"ai_summary"}).empty());
  ASSERT_TRUE(r.At({"next_steps"}).is_array());
  EXPECT_GE(r.At({"next_steps"}).as_array().size(), 1u);
  EXPECT_LE(r.At({"next_steps"}).as_array().size(), 6u);
  ASSERT_TRUE(r.At({"recommended_okrs"}).is_array());
  EXPECT_GE(r.At({"recommended_okrs"}).as_array().size(), 1u);
  EXPECT_LE(r.At({"recommended_okrs"}).as_array().size(), 4u);
  for (const json::value& okr : r.At({"recommended_okrs"}).as_array()) {
    EXPECT_TRUE(okr.at("objective").is_string());
    EXPECT_TRUE(okr.at("key_results").is_array());
    EXPECT_TRUE(okr.at("rationale").is_string());
  }
  EXPECT_EQ(r.Header("x-session-id"), id);
  const std::string org = r.Header("x-organization-id");
  EXPECT_EQ(org, r.Str({"organization", "id"}));
  EXPECT_EQ(r.Header("x-onboarding-completed"), "true");
  // The records: organization, owner membership with the job title, profile.
  EXPECT_EQ(Scalar("select role || '/' || job_title || '/' || department from "
                   "public.organization_members where organization_id = $1::uuid",
                   org),
            "owner/Directora de operaciones/Operaciones");
  EXPECT_EQ(Scalar("select full_name from public.profiles where user_id = $1", user), "Ana Pérez");
  EXPECT_EQ(Scalar("select size || '/' || industry || '/' || (settings->>'company.country') from "
                   "public.organizations where id = $1::uuid",
                   org),
            "pyme/consulting/España");
  // A retry answers the same, and creates nothing more.
  Reply again = Post("/api/onboarding/complete", json::object{{"session_id", id}}, user);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Str({"organization", "id"}), org);
  EXPECT_EQ(Organizations(user), 1);
}

// §2 POST /complete: 400 "Faltan N pasos por completar" when steps are missing.
TEST_F(LegacyApiTest, CompleteRefusesMissingSteps) {
  const std::string user = NewUser("missing");
  const std::string id = StartedId(user);
  ASSERT_EQ(Progress(user, id, 1, StepData(1)).status, 200);
  ASSERT_EQ(Progress(user, id, 2, StepData(2)).status, 200);
  Reply r = Post("/api/onboarding/complete", json::object{{"session_id", id}}, user);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Str({"message"}), "Faltan 3 pasos por completar");
  EXPECT_EQ(Organizations(user), 0);
  EXPECT_EQ(Scalar("select status from public.onboarding_sessions where id = $1::uuid", id),
            "in_progress");
}

// §2 POST /complete with create_organization false: completes, creates no organization.
TEST_F(LegacyApiTest, CompleteWithoutOrganization) {
  const std::string user = NewUser("noorg");
  const std::string id = Walked(user);
  Reply r = Post("/api/onboarding/complete",
                 json::object{{"session_id", id}, {"create_organization", false}}, user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Str({"session", "status"}), "completed");
  EXPECT_TRUE(r.At({"organization"}).is_null());
  EXPECT_TRUE(r.Header("x-organization-id").empty());
  EXPECT_EQ(r.Header("x-onboarding-completed"), "true");
  EXPECT_EQ(Organizations(user), 0);
  EXPECT_EQ(Profiles(user), 0);
}

// §2 GET /complete?session_id=: 400 unless completed.
TEST_F(LegacyApiTest, GetCompleteOnlyForCompletedSessions) {
  const std::string user = NewUser("getcomplete");
  const std::string id = Walked(user);
  EXPECT_EQ(Get("/api/onboarding/complete?session_id=" + id, user).status, 400);
  ASSERT_EQ(Post("/api/onboarding/complete", json::object{{"session_id", id}}, user).status, 200);
  Reply r = Get("/api/onboarding/complete?session_id=" + id, user);
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectSessionShape(r.At({"session"}));
  EXPECT_FALSE(r.Str({"ai_summary"}).empty());
  EXPECT_TRUE(r.At({"next_steps"}).is_array());
  EXPECT_TRUE(r.At({"recommended_okrs"}).is_array());
  EXPECT_FALSE(r.Str({"completed_at"}).empty());
}

// §2 "The 5-step flow's fields": what each step requires, and the enums.
TEST_F(LegacyApiTest, TheFiveStepFlowRequiresItsFields) {
  const std::string user = NewUser("fields");
  const std::string id = StartedId(user);
  const std::vector<std::pair<int, std::vector<std::string>>> required = {
      {1, {"full_name", "job_title", "experience_with_okr", "primary_goal", "urgency_level"}},
      {2, {"company_name", "company_size", "description", "country"}},
      {3, {"okr_maturity", "current_challenges", "business_goals"}},
      {4,
       {"communication_style", "language", "notification_frequency", "focus_areas",
        "ai_assistance_level"}},
      {5, {"confirmed"}}};
  const char* names[] = {"", "welcome", "company", "organization", "preferences", "review"};
  for (const auto& [step, fields] : required) {
    Reply r = Progress(user, id, step, json::object{});
    ASSERT_EQ(r.status, 200) << r.body;
    std::set<std::string> named;
    for (const json::value& e : r.At({"validation_errors"}).as_array()) {
      named.emplace(e.at("field").as_string());
    }
    for (const std::string& f : fields) {
      EXPECT_TRUE(named.contains(std::string(names[step]) + "." + f)) << f << " " << r.body;
    }
    EXPECT_EQ(named.size(), fields.size()) << "optional fields are not required: " << r.body;
  }
  // Enums and bounds from the document.
  json::object company = StepData(2);
  company["company_size"] = "small";
  EXPECT_EQ(Progress(user, id, 2, company).Header("x-validation-status"), "invalid");
  company = StepData(2);
  company["website"] = "";
  EXPECT_EQ(Progress(user, id, 2, company).Header("x-validation-status"), "valid")
      << "website: http(s):// or empty";
  company["website"] = "ftp://x";
  EXPECT_EQ(Progress(user, id, 2, company).Header("x-validation-status"), "invalid");
  json::object org = StepData(3);
  org["team_size"] = 501;
  EXPECT_EQ(Progress(user, id, 3, org).Header("x-validation-status"), "invalid");
  org["team_size"] = 0;
  EXPECT_EQ(Progress(user, id, 3, org).Header("x-validation-status"), "valid");
  json::object review = StepData(5);
  review["confirmed"] = "false";
  EXPECT_EQ(Progress(user, id, 5, review).Header("x-validation-status"), "invalid");
}

// SPEC §4.3: versions as ETag, If-Match, and others' ids are 404.
TEST_F(LegacyApiTest, VersionsAndOtherUsersSessions) {
  const std::string alice = NewUser("alice"), bob = NewUser("bob");
  Reply started = Start(alice);
  const std::string id = started.Str({"session", "id"});
  const std::string etag = started.Header("ETag");
  ASSERT_FALSE(etag.empty());
  Reply saved = Progress(alice, id, 1, StepData(1), true);
  EXPECT_NE(saved.Header("ETag"), etag);
  Reply stale = Call("PATCH", "/api/onboarding/session/" + id, R"({"current_step": 1})", alice,
                     "If-Match: " + etag + "\r\n");
  EXPECT_EQ(stale.status, 412) << stale.body;
  Reply fresh = Call("PATCH", "/api/onboarding/session/" + id, R"({"current_step": 1})", alice,
                     "If-Match: " + saved.Header("ETag") + "\r\n");
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(Put("/api/onboarding/progress",
                json::object{{"session_id", id}, {"step_number", 1}, {"step_data", StepData(1)}},
                alice, "If-Match: \"1\"\r\n")
                .status,
            412);

  for (Reply r :
       {Get("/api/onboarding/session/" + id, bob),
        Call("PATCH", "/api/onboarding/session/" + id, R"({"current_step": 1})", bob),
        Call("DELETE", "/api/onboarding/session/" + id, "", bob),
        Get("/api/onboarding/progress?session_id=" + id, bob),
        Get("/api/onboarding/complete?session_id=" + id, bob), Progress(bob, id, 1, StepData(1)),
        Post("/api/onboarding/complete", json::object{{"session_id", id}}, bob)}) {
    EXPECT_EQ(r.status, 404) << r.body;
  }
  Reply mine = Get("/api/onboarding/session/" + id, alice);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.Str({"session", "status"}), "in_progress");
  EXPECT_EQ(Count("select count(*) from public.onboarding_sessions where user_id = $1", bob), 0);
}

// SESSION_TTL_HOURS: the harness runs with 48 hours (the database default is 7 days).
TEST_F(LegacyApiTest, SessionsExpireAfterTheConfiguredTtl) {
  const std::string user = NewUser("ttl");
  const std::string id = StartedId(user);
  EXPECT_EQ(Scalar("select round(extract(epoch from expires_at - created_at) / 3600) from "
                   "public.onboarding_sessions where id = $1::uuid",
                   id),
            "48");
  const std::string wizard = NewUser("ttl-step");
  ASSERT_EQ(Post("/api/onboarding/step",
                 json::object{{"step", 1}, {"data", json::object{{"role", "ceo"}}}}, wizard)
                .status,
            200);
  EXPECT_EQ(Scalar("select round(extract(epoch from expires_at - created_at) / 3600) from "
                   "public.onboarding_sessions where user_id = $1",
                   wizard),
            "48");
}

// §3 POST /organization: the original's fields and defaults, 201 and its header.
TEST_F(LegacyApiTest, CreateOrganizationWithTheOriginalFields) {
  const std::string user = NewUser("org");
  Reply r = Post("/api/onboarding/organization",
                 json::object{{"name", "Nueva Org"},
                              {"industry_id", "retail"},
                              {"description", "Tiendas"},
                              {"website", "https://nueva.example"},
                              {"country", "México"},
                              {"city", "Puebla"},
                              {"employee_count", 120},
                              {"founded_year", 1999},
                              {"business_goals", json::array{"revenue_growth"}},
                              {"current_challenges", json::array{"focus"}},
                              {"department", "Dirección"},
                              {"job_title", "CEO"}},
                 user);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Str({"message"}), "Organización creada exitosamente");
  const std::string org = r.Str({"organization", "id"});
  EXPECT_EQ(r.Header("x-organization-id"), org);
  EXPECT_EQ(r.Str({"organization", "name"}), "Nueva Org");
  EXPECT_EQ(r.Str({"organization", "industry_id"}), "retail");
  EXPECT_EQ(r.Str({"organization", "industry", "id"}), "retail");
  EXPECT_EQ(r.Str({"organization", "size"}), "empresa") << "120 employees by the size rule";
  EXPECT_EQ(r.Str({"organization", "okr_maturity"}), "beginner") << "default";
  EXPECT_EQ(r.Str({"organization", "country"}), "México");
  EXPECT_EQ(r.Str({"organization", "city"}), "Puebla");
  EXPECT_EQ(r.At({"organization", "founded_year"}), json::value(1999));
  ASSERT_TRUE(r.At({"organization", "members"}).is_array());
  EXPECT_EQ(r.At({"organization", "members"}).as_array().size(), 1u);
  EXPECT_EQ(r.Str({"membership", "role"}), "owner") << "initial_role defaults to owner";
  EXPECT_EQ(r.Str({"membership", "job_title"}), "CEO");
  EXPECT_EQ(r.Str({"membership", "department"}), "Dirección");

  Reply future =
      Post("/api/onboarding/organization",
           json::object{{"name", "Futura"}, {"size", "startup"}, {"founded_year", 2100}}, user);
  EXPECT_EQ(future.status, 400) << "founded_year 1800..now";
  Reply admin =
      Post("/api/onboarding/organization",
           json::object{{"name", "Otra"}, {"size", "startup"}, {"initial_role", "admin"}}, user);
  EXPECT_EQ(admin.status, 400) << "the creator is the owner";
  Reply bad_size =
      Post("/api/onboarding/organization", json::object{{"name", "Otra"}, {"size", "huge"}}, user);
  EXPECT_EQ(bad_size.status, 400);
  EXPECT_EQ(Organizations(user), 1);
}

// §3 GET /organization: the list, member_count and user_role, private caching.
TEST_F(LegacyApiTest, ListOrganizationsWithCountsAndRole) {
  const std::string user = NewUser("list");
  ASSERT_EQ(Post("/api/onboarding/organization",
                 json::object{{"name", "Lista Uno"}, {"size", "startup"}}, user)
                .status,
            201);
  ASSERT_EQ(Post("/api/onboarding/organization",
                 json::object{{"name", "Lista Dos"}, {"size", "corporacion"}}, user)
                .status,
            201);
  Reply r = Get("/api/onboarding/organization", user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.At({"total"}), json::value(2));
  EXPECT_EQ(r.Header("Cache-Control"), "private, max-age=300");
  for (const json::value& o : r.At({"organizations"}).as_array()) {
    EXPECT_EQ(o.at("member_count"), 1);
    EXPECT_EQ(o.at("user_role"), "owner");
    EXPECT_TRUE(o.at("name").is_string());
  }
}

// §3 GET /industries?q=&category=: q matches name, description or category.
TEST_F(LegacyApiTest, IndustriesSearchNameDescriptionAndCategory) {
  Reply all = Get("/api/onboarding/industries", "");
  ASSERT_EQ(all.status, 200);
  for (std::string key : {"industries", "categorized", "categories", "total"}) {
    EXPECT_TRUE(all.Has({key})) << key;
  }
  Reply by_name = Get("/api/onboarding/industries?q=SALUD", "");
  EXPECT_EQ(by_name.At({"industries"}).as_array()[0].at("id"), "healthcare");
  Reply by_description = Get("/api/onboarding/industries?q=fintech", "");
  EXPECT_EQ(by_description.At({"industries"}).as_array()[0].at("id"), "finance");
  Reply by_category = Get("/api/onboarding/industries?q=industrial", "");
  std::set<std::string> ids;
  for (const json::value& i : by_category.At({"industries"}).as_array()) {
    ids.emplace(i.at("id").as_string());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"manufacturing", "transportation", "energy"}));
  Reply filtered = Get("/api/onboarding/industries?category=public", "");
  EXPECT_EQ(filtered.At({"categories"}).as_array().size(), 1u);
}

}  // namespace
}  // namespace onboardd::onboarding
