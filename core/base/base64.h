// Base64 (RFC 4648, standard alphabet) for images carried in JSON bodies.
#pragma once

#include <string>
#include <string_view>

namespace clippo {

std::string base64_encode(std::string_view bytes);
// Accepts padding or none, ignores ASCII whitespace, and a leading "data:...;base64," prefix.
// Throws InvalidArgument on any other character or a truncated quantum.
std::string base64_decode(std::string_view text);

}  // namespace clippo
