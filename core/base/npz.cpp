#include "core/base/npz.h"

#include <cstring>
#include <limits>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npy_writer.h"
#include "core/base/zip_archive.h"

namespace clippo {
namespace {

DType parse_descr(const std::string& descr, const std::string& name) {
  if (descr == "<f4" || descr == "|f4") return DType::kFloat32;
  if (descr == "<f2") return DType::kFloat16;
  if (descr == "<f8") return DType::kFloat64;
  if (descr == "<V2" || descr == "|V2" || descr == "bfloat16") return DType::kBFloat16;  // ml_dtypes
  if (descr == "<i4") return DType::kInt32;
  if (descr == "<i8") return DType::kInt64;
  if (descr == "|u1") return DType::kUInt8;
  if (descr == "|i1") return DType::kInt8;
  if (descr == "|b1") return DType::kBool;
  throw Error(ErrorCode::kInvalidArgument, name + ": unsupported dtype '" + descr + "'");
}

const char* dtype_descr(DType d) {
  switch (d) {
    case DType::kFloat32: return "<f4";
    case DType::kFloat16: return "<f2";
    case DType::kBFloat16: return "<V2";
    case DType::kFloat64: return "<f8";
    case DType::kInt32: return "<i4";
    case DType::kInt64: return "<i8";
    case DType::kUInt8: return "|u1";
    case DType::kInt8: return "|i1";
    case DType::kBool: return "|b1";
  }
  return "<f4";
}

// Finds `'key': ` in a .npy header dict and returns the text after it.
std::string header_value(const std::string& header, const std::string& key, const std::string& name) {
  const size_t k = header.find("'" + key + "'");
  CLIPPO_CHECK(k != std::string::npos, kInvalidArgument, name + ": .npy header has no '" + key + "'");
  size_t v = header.find(':', k);
  CLIPPO_CHECK(v != std::string::npos, kInvalidArgument, name + ": malformed .npy header");
  ++v;
  while (v < header.size() && header[v] == ' ') ++v;
  return header.substr(v);
}

}  // namespace

size_t dtype_size(DType d) {
  switch (d) {
    case DType::kFloat32: case DType::kInt32: return 4;
    case DType::kFloat16: case DType::kBFloat16: return 2;
    case DType::kFloat64: case DType::kInt64: return 8;
    case DType::kUInt8: case DType::kInt8: case DType::kBool: return 1;
  }
  return 4;
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::kFloat32: return "float32";
    case DType::kFloat16: return "float16";
    case DType::kBFloat16: return "bfloat16";
    case DType::kFloat64: return "float64";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUInt8: return "uint8";
    case DType::kInt8: return "int8";
    case DType::kBool: return "bool";
  }
  return "float32";
}

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string NpyArray::shape_string() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::vector<float> NpyArray::to_float32() const {
  const int64_t n = numel();
  std::vector<float> out(static_cast<size_t>(n));
  const char* p = data.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (dtype) {
      case DType::kFloat32: std::memcpy(&out[i], p + i * 4, 4); break;
      case DType::kFloat16: { uint16_t h; std::memcpy(&h, p + i * 2, 2); out[i] = half_to_float(h); break; }
      case DType::kBFloat16: { uint16_t h; std::memcpy(&h, p + i * 2, 2); out[i] = bfloat16_to_float(h); break; }
      case DType::kFloat64: { double d; std::memcpy(&d, p + i * 8, 8); out[i] = static_cast<float>(d); break; }
      case DType::kInt32: { int32_t v; std::memcpy(&v, p + i * 4, 4); out[i] = static_cast<float>(v); break; }
      case DType::kInt64: { int64_t v; std::memcpy(&v, p + i * 8, 8); out[i] = static_cast<float>(v); break; }
      case DType::kUInt8: out[i] = static_cast<unsigned char>(p[i]); break;
      case DType::kInt8: out[i] = static_cast<signed char>(p[i]); break;
      case DType::kBool: out[i] = p[i] ? 1.0f : 0.0f; break;
    }
  }
  return out;
}

NpyArray parse_npy(const std::string& bytes, const std::string& name) {
  CLIPPO_CHECK(bytes.size() >= 10 && bytes.compare(0, 6, "\x93NUMPY") == 0, kInvalidArgument,
               name + ": not a .npy array");
  const int major = static_cast<unsigned char>(bytes[6]);
  CLIPPO_CHECK(major >= 1 && major <= 3, kInvalidArgument, name + ": unsupported .npy version");
  const size_t len_bytes = major == 1 ? 2 : 4;
  CLIPPO_CHECK(bytes.size() >= 8 + len_bytes, kInvalidArgument, name + ": truncated .npy header");
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  const size_t data_start = 8 + len_bytes + header_len;
  CLIPPO_CHECK(header_len < (1u << 20) && data_start <= bytes.size(), kInvalidArgument, name + ": truncated .npy header");
  const std::string header = bytes.substr(8 + len_bytes, header_len);

  NpyArray a;
  const std::string descr_text = header_value(header, "descr", name);
  CLIPPO_CHECK(!descr_text.empty() && descr_text[0] == '\'', kInvalidArgument,
               name + ": structured dtypes are not supported");
  a.dtype = parse_descr(descr_text.substr(1, descr_text.find('\'', 1) - 1), name);
  CLIPPO_CHECK(header_value(header, "fortran_order", name).rfind("False", 0) == 0, kInvalidArgument,
               name + ": Fortran-order arrays are not supported");
  const std::string shape_text = header_value(header, "shape", name);
  CLIPPO_CHECK(!shape_text.empty() && shape_text[0] == '(', kInvalidArgument, name + ": malformed shape");
  const size_t close = shape_text.find(')');
  CLIPPO_CHECK(close != std::string::npos, kInvalidArgument, name + ": malformed shape");
  std::stringstream dims(shape_text.substr(1, close - 1));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    const size_t first = dim.find_first_not_of(" L");
    if (first == std::string::npos) continue;
    int64_t v = 0;
    try {
      v = std::stoll(dim.substr(first));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInvalidArgument, name + ": malformed shape " + shape_text.substr(0, close + 1));
    }
    CLIPPO_CHECK(v >= 0 && v < (int64_t{1} << 40), kInvalidArgument, name + ": impossible dimension");
    a.shape.push_back(v);
  }
  const uint64_t expected = static_cast<uint64_t>(a.numel()) * dtype_size(a.dtype);
  CLIPPO_CHECK(bytes.size() - data_start == expected, kInvalidArgument,
               name + ": holds " + std::to_string(bytes.size() - data_start) + " data bytes, shape " +
                   a.shape_string() + " of " + dtype_name(a.dtype) + " needs " + std::to_string(expected));
  a.data = bytes.substr(data_start);
  return a;
}

std::string encode_npy_array(const NpyArray& a) {
  return encode_npy(dtype_descr(a.dtype), a.shape, a.data.data(), a.data.size());
}

namespace {

std::map<std::string, NpyArray> arrays_of(const ZipArchive& archive) {
  std::map<std::string, NpyArray> arrays;
  for (const std::string& member : archive.member_names()) {
    std::string key = member;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    arrays[key] = parse_npy(archive.read(member), archive.name() + ":" + member);
  }
  return arrays;
}

}  // namespace

std::map<std::string, NpyArray> parse_npz(const std::string& bytes, const std::string& name) {
  return arrays_of(ZipArchive::over(bytes, name));
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  return arrays_of(ZipArchive::open(path));
}

std::string encode_npz(const std::map<std::string, NpyArray>& arrays) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& [key, array] : arrays) members.emplace_back(key + ".npy", encode_npy_array(array));
  try {
    return encode_zip(members);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("model too large: ") + e.what());
  }
}

void write_npz(const std::string& path, const std::map<std::string, NpyArray>& arrays) {
  write_file_atomically(path, encode_npz(arrays));
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000;
  const uint32_t abs = x & 0x7FFFFFFF;
  if (abs >= 0x7F800000) return static_cast<uint16_t>(sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 : 0));
  if (abs >= 0x477FF000) return static_cast<uint16_t>(sign | 0x7C00);  // overflow -> inf
  if (abs < 0x38800000) {
    // Below 2^-14 the half is subnormal: value = m * 2^-24 with m = mant24 * 2^(E - 126).
    const uint32_t shift = 126 - (abs >> 23);
    if (shift > 24) return static_cast<uint16_t>(sign);  // under half the smallest subnormal
    const uint32_t mant = (abs & 0x7FFFFF) | 0x800000;
    uint32_t m = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (m & 1))) ++m;  // round to nearest even
    return static_cast<uint16_t>(sign | m);
  }
  uint32_t h = ((abs - 0x38000000) >> 13);
  const uint32_t rem = abs & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalise
      int e = -1;
      uint32_t m = mant;
      do { ++e; m <<= 1; } while ((m & 0x400) == 0);
      x = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (m & 0x3FF) << 13;
    }
  } else if (exp == 31) {
    x = sign | 0x7F800000 | mant << 13;
  } else {
    x = sign | (exp + 112) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t float_to_bfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // quiet NaN
  const uint32_t rounding = 0x7FFF + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding) >> 16);
}

float bfloat16_to_float(uint16_t b) {
  const uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

}  // namespace clippo
