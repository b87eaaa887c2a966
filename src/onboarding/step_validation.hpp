// Step validation driven by the catalog's flow definition (SPEC §4.1): one generic checker
// per catalog::FieldType, no per-field code. Pure and thread-safe; no I/O.
//
// Rules, for every flow:
// - `data` must be an object (null counts as {}); unknown keys are dropped, never errors.
// - null, or a string that is empty after trimming ASCII whitespace, means "absent" for any
//   field; an absent required field is an error, an absent optional one takes the field's
//   default or is left out of the saved data.
// - Strings are trimmed; they must be valid UTF-8 without NUL (PostgreSQL refuses U+0000);
//   lengths count Unicode code points.
// - Integers: JSON integers, or floats with no fraction (5.0), inside [min, max]; 5.5, "5",
//   1e400 and 2^64 are errors.
// - Enum lists (integrations): at most max_items raw elements, each an allowed value;
//   duplicates are dropped silently (first occurrence kept, order preserved); at least
//   min_items distinct values when the field is present.
// - Departments: at most max_items elements, each a name or {id?, name, description?,
//   parentId?} (ids may be strings or integers, kept as strings); normalized to objects,
//   deduplicated case- and accent-insensitively, parents resolved (see
//   onboarding_logic.hpp PlanDepartments): an unknown parent or a cycle is an error.
// - Images (logo): an http(s) URL, or data:image/(png|jpeg|webp);base64,<data> with strict
//   base64 whose decoded bytes are ≤ max_bytes and start with the declared type's magic
//   bytes. SVG and every other type are refused. The field's own draft-image path
//   (kDraftImagePath + "<step>/<key>") is accepted as is: it means "keep the saved image".
// Error paths are "<step id>.<key>" with "[i]" for array elements and ".<member>" inside
// them: "company.name", "organization.departments[3].name". At most kMaxDetails details are
// reported (a 10,000-element array does not produce 10,000 of them).
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

#include "catalog/snapshot.hpp"
#include "core/result.hpp"
#include "onboarding/onboarding_types.hpp"

namespace onboardd::onboarding {

inline constexpr std::size_t kMaxDetails = 20;

// Validates `data` for step `step_number` of `flow`. Success: the normalized data (as saved)
// and the decoded logo if any. Errors (all kValidation, with details): a step number
// outside the flow ("step"), data that is not an object ("<step id>"), and every field
// rule above.
core::Result<ValidatedStep> ValidateStep(const catalog::Flow& flow, int step_number,
                                         const boost::json::value& data);

// Same, for a step named by id ("company"); an unknown id is a "step" error.
core::Result<ValidatedStep> ValidateStep(const catalog::Flow& flow, std::string_view step_id,
                                         const boost::json::value& data);

// Decodes a data URL image against `field` (content types, max_bytes, magic bytes).
// Errors are kValidation with one detail at `path`.
core::Result<Logo> DecodeImageDataUrl(std::string_view data_url, const catalog::FieldDef& field,
                                      std::string_view path);

// Strict standard base64 (RFC 4648 §4, '=' padding optional, no whitespace). nullopt on any
// invalid character, misplaced padding or impossible length.
std::optional<std::string> DecodeBase64(std::string_view text);

// True for an absolute http or https URL with a host and no whitespace or control characters.
bool IsHttpUrl(std::string_view text);

}  // namespace onboardd::onboarding
