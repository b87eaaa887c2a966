// The generic field checkers behind ValidateStep (rules in step_validation.hpp).
#include "onboarding/step_validation.hpp"

#include <array>
#include <cmath>
#include <set>
#include <utility>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "catalog/text.hpp"
#include "onboarding/onboarding_logic.hpp"

namespace onboardd::onboarding {

namespace json = boost::json;
using catalog::FieldDef;
using catalog::FieldType;
using core::LocalizedText;

namespace {

// Collects field errors up to kMaxDetails.
class Details {
 public:
  void Add(std::string path, std::string es, std::string en) {
    if (list_.size() < kMaxDetails)
      list_.push_back({std::move(path), {std::move(es), std::move(en)}});
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  std::size_t count() const { return count_; }
  std::vector<core::FieldError> Take() { return std::move(list_); }

 private:
  std::vector<core::FieldError> list_;
  std::size_t count_ = 0;
};

std::string Num(std::int64_t n) { return std::to_string(n); }

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool IsAbsent(const json::value& v) {
  return v.is_null() || (v.is_string() && Trim(v.as_string()).empty());
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// A text value: UTF-8, no NUL, trimmed, length in [min, max] code points. nullopt after
// recording the error.
std::optional<std::string> CheckText(const json::value& v, std::size_t min, std::size_t max,
                                     const std::string& path, Details& details) {
  if (!v.is_string()) {
    details.Add(path, "Debe ser un texto", "Must be a string");
    return std::nullopt;
  }
  const std::string_view raw = v.as_string();
  if (!catalog::IsValidUtf8(raw)) {
    details.Add(path, "Contiene texto UTF-8 no válido", "Contains invalid UTF-8");
    return std::nullopt;
  }
  if (raw.find('\0') != std::string_view::npos) {
    details.Add(path, "Contiene caracteres nulos", "Contains NUL characters");
    return std::nullopt;
  }
  const std::string_view text = Trim(raw);
  const std::size_t length = catalog::CountCodePoints(text);
  if (length < min || length > max) {
    if (min > 0) {
      details.Add(path, "Debe tener entre " + Num(min) + " y " + Num(max) + " caracteres",
                  "Must be between " + Num(min) + " and " + Num(max) + " characters");
    } else {
      details.Add(path, "Debe tener como máximo " + Num(max) + " caracteres",
                  "Must be at most " + Num(max) + " characters");
    }
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<json::value> CheckEnum(const json::value& v, const FieldDef& field,
                                     const std::string& path, Details& details) {
  if (!v.is_string()) {
    details.Add(path, "Debe ser un texto", "Must be a string");
    return std::nullopt;
  }
  if (!field.AllowsValue(v.as_string())) {
    details.Add(path, "Valor no permitido. Valores permitidos: " + Join(field.values),
                "Value not allowed. Allowed values: " + Join(field.values));
    return std::nullopt;
  }
  return v;
}

std::optional<json::value> CheckInteger(const json::value& v, const FieldDef& field,
                                        const std::string& path, Details& details) {
  const auto out_of_range = [&] {
    details.Add(path, "Debe estar entre " + Num(field.min) + " y " + Num(field.max),
                "Must be between " + Num(field.min) + " and " + Num(field.max));
  };
  std::int64_t n = 0;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64()) {
    out_of_range();
    return std::nullopt;
  } else if (v.is_double()) {
    const double d = v.as_double();
    if (!std::isfinite(d) || d < -9.0e15 || d > 9.0e15) {
      out_of_range();
      return std::nullopt;
    }
    if (d != std::trunc(d)) {
      details.Add(path, "Debe ser un número entero", "Must be a whole number");
      return std::nullopt;
    }
    n = static_cast<std::int64_t>(d);
  } else {
    details.Add(path, "Debe ser un número entero", "Must be a whole number");
    return std::nullopt;
  }
  if (n < field.min || n > field.max) {
    out_of_range();
    return std::nullopt;
  }
  return json::value(n);
}

// The array of a list field within its max_items, or null after adding the detail saying
// why not (`noun_es`/`noun_en` name the items in the message).
const json::array* BoundedList(const json::value& v, const FieldDef& field, const std::string& path,
                               Details& details, const char* noun_es, const char* noun_en) {
  if (!v.is_array()) {
    details.Add(path, "Debe ser una lista", "Must be a list");
    return nullptr;
  }
  if (v.as_array().size() > field.max_items) {
    details.Add(path, "Admite como máximo " + Num(field.max_items) + " " + noun_es,
                "Accepts at most " + Num(field.max_items) + " " + noun_en);
    return nullptr;
  }
  return &v.as_array();
}

std::optional<json::value> CheckEnumList(const json::value& v, const FieldDef& field,
                                         const std::string& path, Details& details) {
  const json::array* list = BoundedList(v, field, path, details, "elementos", "items");
  if (list == nullptr) return std::nullopt;
  const json::array& items = *list;
  json::array out;
  std::set<std::string, std::less<>> seen;
  const std::size_t before = details.count();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = path + "[" + Num(i) + "]";
    if (!items[i].is_string()) {
      details.Add(item_path, "Debe ser un texto", "Must be a string");
      continue;
    }
    if (!field.AllowsValue(items[i].as_string())) {
      details.Add(item_path, "Valor no permitido. Valores permitidos: " + Join(field.values),
                  "Value not allowed. Allowed values: " + Join(field.values));
      continue;
    }
    if (seen.emplace(items[i].as_string()).second) out.push_back(items[i]);
  }
  if (details.count() != before) return std::nullopt;
  if (out.size() < field.min_items) {
    details.Add(path, "Elige al menos " + Num(field.min_items),
                "Choose at least " + Num(field.min_items));
    return std::nullopt;
  }
  return json::value(std::move(out));
}

// A department id or parent id: a non-empty string (≤ 100 code points) or an integer.
std::optional<std::string> CheckDepartmentRef(const json::value& v, const std::string& path,
                                              Details& details) {
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (!v.is_string()) {
    details.Add(path, "Debe ser un texto o un número entero", "Must be a string or an integer");
    return std::nullopt;
  }
  return CheckText(v, 1, 100, path, details);
}

std::optional<Department> CheckDepartment(const json::value& v, const FieldDef& field,
                                          const std::string& path, Details& details) {
  if (v.is_string()) {
    std::optional<std::string> name =
        CheckText(v, std::max<std::size_t>(field.min_length, 1), field.max_length, path, details);
    if (!name) return std::nullopt;
    return Department{std::nullopt, std::move(*name), std::nullopt, std::nullopt};
  }
  if (!v.is_object()) {
    details.Add(path, "Debe ser un nombre o un objeto {name}", "Must be a name or a {name} object");
    return std::nullopt;
  }
  const json::object& o = v.as_object();
  const std::size_t before = details.count();
  Department department;
  const json::value* name = o.if_contains("name");
  if (name == nullptr || IsAbsent(*name)) {
    details.Add(path + ".name", "Este campo es obligatorio", "This field is required");
  } else if (auto text = CheckText(*name, std::max<std::size_t>(field.min_length, 1),
                                   field.max_length, path + ".name", details)) {
    department.name = std::move(*text);
  }
  if (const json::value* id = o.if_contains("id"); id && !IsAbsent(*id)) {
    department.id = CheckDepartmentRef(*id, path + ".id", details);
  }
  if (const json::value* d = o.if_contains("description"); d && !IsAbsent(*d)) {
    department.description =
        CheckText(*d, 0, field.description_max_length, path + ".description", details);
  }
  if (const json::value* parent = o.if_contains("parentId"); parent && !IsAbsent(*parent)) {
    department.parent_id = CheckDepartmentRef(*parent, path + ".parentId", details);
  }
  if (details.count() != before) return std::nullopt;
  return department;
}

std::optional<json::value> CheckDepartments(const json::value& v, const FieldDef& field,
                                            const std::string& path, Details& details) {
  const json::array* list = BoundedList(v, field, path, details, "departamentos", "departments");
  if (list == nullptr) return std::nullopt;
  const json::array& items = *list;
  std::vector<Department> departments;
  departments.reserve(items.size());
  const std::size_t before = details.count();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto d = CheckDepartment(items[i], field, path + "[" + Num(i) + "]", details)) {
      departments.push_back(std::move(*d));
    }
  }
  if (details.count() != before) return std::nullopt;
  auto normalized = NormalizeDepartments(std::move(departments), path);
  if (!normalized) {
    for (core::FieldError& e : normalized.error().details) {
      details.Add(std::move(e.path), std::move(e.message.es), std::move(e.message.en));
    }
    return std::nullopt;
  }
  json::array out;
  for (const Department& d : *normalized) {
    json::object o;
    if (d.id) o["id"] = *d.id;
    o["name"] = d.name;
    if (d.description) o["description"] = *d.description;
    if (d.parent_id) o["parentId"] = *d.parent_id;
    out.push_back(std::move(o));
  }
  return json::value(std::move(out));
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::optional<json::value> CheckUrl(const json::value& v, const FieldDef& field,
                                    const std::string& path, Details& details) {
  std::optional<std::string> text = CheckText(v, 0, field.max_length, path, details);
  if (!text) return std::nullopt;
  if (!IsHttpUrl(*text)) {
    details.Add(path, "Debe ser una URL http(s) válida", "Must be a valid http(s) URL");
    return std::nullopt;
  }
  return json::value(*text);
}

std::optional<json::value> CheckImage(const json::value& v, const FieldDef& field,
                                      const std::string& path, Details& details,
                                      std::optional<Logo>& logo) {
  if (!v.is_string()) {
    details.Add(path, "Debe ser un texto (URL)", "Must be a string (URL)");
    return std::nullopt;
  }
  const std::string_view text = Trim(v.as_string());
  std::string own_image(kDraftImagePath);
  for (char c : path) own_image.push_back(c == '.' ? '/' : c);
  if (text == own_image) return json::value(text);  // "keep the saved image"
  if (StartsWithNoCase(text, "data:")) {
    auto decoded = DecodeImageDataUrl(text, field, path);
    if (!decoded) {
      for (core::FieldError& e : decoded.error().details) {
        details.Add(std::move(e.path), std::move(e.message.es), std::move(e.message.en));
      }
      return std::nullopt;
    }
    logo = std::move(*decoded);
    return json::value(text);
  }
  return CheckUrl(v, field, path, details);
}

// Checks one present (non-absent) value; nullopt after recording errors.
std::optional<json::value> CheckValue(const json::value& v, const FieldDef& field,
                                      const std::string& path, Details& details,
                                      std::optional<Logo>& logo) {
  switch (field.type) {
    case FieldType::kString: {
      auto text = CheckText(v, field.min_length, field.max_length, path, details);
      if (!text) return std::nullopt;
      return json::value(*text);
    }
    case FieldType::kEnum:
      return CheckEnum(v, field, path, details);
    case FieldType::kBoolean:
      if (!v.is_bool()) {
        details.Add(path, "Debe ser verdadero o falso", "Must be true or false");
        return std::nullopt;
      }
      return v;
    case FieldType::kInteger:
      return CheckInteger(v, field, path, details);
    case FieldType::kEnumList:
      return CheckEnumList(v, field, path, details);
    case FieldType::kDepartments:
      return CheckDepartments(v, field, path, details);
    case FieldType::kImage:
      return CheckImage(v, field, path, details, logo);
    case FieldType::kUrl:
      return CheckUrl(v, field, path, details);
  }
  return std::nullopt;
}

core::Error StepError(std::string es, std::string en) {
  return core::ValidationError({{"step", {std::move(es), std::move(en)}}});
}

core::Result<ValidatedStep> Validate(const catalog::StepDef& step, const json::value& data) {
  static const json::object kEmpty;
  if (!data.is_null() && !data.is_object()) {
    return core::ValidationError(
        {{step.id, {"Los datos del paso deben ser un objeto", "Step data must be an object"}}});
  }
  const json::object& input = data.is_object() ? data.as_object() : kEmpty;
  ValidatedStep result;
  result.number = step.number;
  result.step_id = step.id;
  Details details;
  for (const FieldDef& field : step.fields) {
    const std::string path = step.id + "." + field.key;
    const json::value* v = input.if_contains(field.key);
    if (v == nullptr || IsAbsent(*v)) {
      if (field.required) {
        details.Add(path, "Este campo es obligatorio", "This field is required");
      } else if (field.default_value) {
        result.data[field.key] = *field.default_value;
      }
      continue;
    }
    if (auto checked = CheckValue(*v, field, path, details, result.logo)) {
      result.data[field.key] = std::move(*checked);
    }
  }
  if (!details.empty()) return core::ValidationError(details.Take());
  return result;
}

struct Magic {
  std::string_view content_type;
  bool (*matches)(std::string_view bytes);
};

bool IsPng(std::string_view b) {
  return b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8);
}
bool IsJpeg(std::string_view b) { return b.substr(0, 3) == "\xff\xd8\xff"; }
bool IsWebp(std::string_view b) {
  return b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP";
}

constexpr std::array<Magic, 3> kMagic = {{
    {"image/png", IsPng},
    {"image/jpeg", IsJpeg},
    {"image/webp", IsWebp},
}};

}  // namespace

core::Result<ValidatedStep> ValidateStep(const catalog::Flow& flow, int step_number,
                                         const json::value& data) {
  const catalog::StepDef* step = flow.FindStep(step_number);
  if (step == nullptr) {
    return StepError("El paso debe estar entre 1 y " + Num(flow.total_steps()),
                     "The step must be between 1 and " + Num(flow.total_steps()));
  }
  return Validate(*step, data);
}

core::Result<ValidatedStep> ValidateStep(const catalog::Flow& flow, std::string_view step_id,
                                         const json::value& data) {
  const catalog::StepDef* step = flow.FindStep(step_id);
  if (step == nullptr) return StepError("Paso desconocido", "Unknown step");
  return Validate(*step, data);
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  static constexpr auto kTable = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0xFF);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    return t;
  }();
  const auto sextet = [&](char c) { return kTable[static_cast<unsigned char>(c)]; };
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  if (padding > 0 && text.size() % 4 != 0) return std::nullopt;
  const std::string_view body = text.substr(0, text.size() - padding);
  const std::size_t tail = body.size() % 4;
  if (tail == 1) return std::nullopt;
  const std::size_t quads = body.size() / 4;
  std::string out(quads * 3 + (tail == 0 ? 0 : tail - 1), '\0');
  char* o = out.data();
  const char* in = body.data();
  // Whole quads: 4 characters -> 3 bytes; any invalid character sets a high bit in `bad`.
  std::uint32_t bad = 0;
  for (std::size_t q = 0; q < quads; ++q, in += 4, o += 3) {
    const std::uint32_t a = sextet(in[0]), b = sextet(in[1]), c = sextet(in[2]), d = sextet(in[3]);
    bad |= a | b | c | d;
    const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
  }
  if (bad & 0xC0) return std::nullopt;
  if (tail >= 2) {
    const std::uint32_t a = sextet(in[0]), b = sextet(in[1]);
    const std::uint32_t c = tail == 3 ? sextet(in[2]) : 0;
    if ((a | b | c) & 0xC0) return std::nullopt;
    // Leftover bits must be zero (canonical encoding).
    if (tail == 2 ? (b & 0x0F) != 0 : (c & 0x03) != 0) return std::nullopt;
    const std::uint32_t v = a << 18 | b << 12 | c << 6;
    o[0] = static_cast<char>(v >> 16);
    if (tail == 3) o[1] = static_cast<char>(v >> 8);
  }
  return out;
}

bool IsHttpUrl(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7F) return false;
  }
  auto url = boost::urls::parse_uri(text);
  if (!url) return false;
  const std::string scheme = catalog::FoldForSearch(url->scheme());
  return (scheme == "http" || scheme == "https") && url->has_authority() &&
         !url->encoded_host().empty();
}

core::Result<Logo> DecodeImageDataUrl(std::string_view data_url, const FieldDef& field,
                                      std::string_view path) {
  const auto fail = [&](std::string es, std::string en) {
    return core::ValidationError({{std::string(path), {std::move(es), std::move(en)}}});
  };
  const std::size_t comma = data_url.find(',');
  if (!StartsWithNoCase(data_url, "data:") || comma == std::string_view::npos) {
    return fail("URL de datos mal formada", "Malformed data URL");
  }
  const std::string header = catalog::FoldForSearch(data_url.substr(5, comma - 5));
  const std::string_view payload = data_url.substr(comma + 1);
  constexpr std::string_view kBase64 = ";base64";
  if (header.size() < kBase64.size() ||
      header.compare(header.size() - kBase64.size(), kBase64.size(), kBase64) != 0) {
    return fail("La imagen debe ir codificada en base64", "The image must be base64-encoded");
  }
  const std::string content_type = header.substr(0, header.size() - kBase64.size());
  bool accepted = false;
  for (const std::string& t : field.content_types) accepted = accepted || t == content_type;
  if (!accepted) {
    return fail("Formato de imagen no admitido: usa PNG, JPEG o WebP",
                "Unsupported image type: use PNG, JPEG or WebP");
  }
  const std::size_t mb = field.max_bytes / (1024 * 1024);
  const std::string limit_es = "La imagen supera el máximo de " + Num(mb) + " MB";
  const std::string limit_en = "The image exceeds the " + Num(mb) + " MB limit";
  if (payload.size() / 4 * 3 > field.max_bytes + 3) return fail(limit_es, limit_en);
  std::optional<std::string> bytes = DecodeBase64(payload);
  if (!bytes || bytes->empty()) {
    return fail("La imagen no es base64 válido", "The image is not valid base64");
  }
  if (bytes->size() > field.max_bytes) return fail(limit_es, limit_en);
  for (const Magic& magic : kMagic) {
    if (magic.content_type != content_type) continue;
    if (!magic.matches(*bytes)) {
      return fail("El contenido de la imagen no corresponde a " + content_type,
                  "The image content does not match " + content_type);
    }
    return Logo{content_type, std::move(*bytes)};
  }
  return fail("Formato de imagen no admitido: usa PNG, JPEG o WebP",
              "Unsupported image type: use PNG, JPEG or WebP");
}

}  // namespace onboardd::onboarding
