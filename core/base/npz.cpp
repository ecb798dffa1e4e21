#include "core/base/npz.h"

#include <zlib.h>

#include <cstring>
#include <limits>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npy_writer.h"

namespace clippo {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;

// Bounds-checked little-endian reads over the whole archive.
class Reader {
 public:
  Reader(const std::string& bytes, const std::string& name) : b_(bytes), name_(name) {}
  void need(uint64_t offset, uint64_t n, const char* what) const {
    CLIPPO_CHECK(offset <= b_.size() && n <= b_.size() - offset, kInvalidArgument,
                 name_ + ": truncated or corrupt archive (" + what + " at offset " + std::to_string(offset) +
                     " runs past the end of the " + std::to_string(b_.size()) + "-byte file)");
  }
  uint64_t u(uint64_t offset, int n_bytes, const char* what) const {
    need(offset, static_cast<uint64_t>(n_bytes), what);
    uint64_t v = 0;
    for (int i = n_bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b_[offset + i]);
    return v;
  }
  const std::string& bytes() const { return b_; }

 private:
  const std::string& b_;
  const std::string& name_;
};

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

std::string inflate_raw(const char* data, uint64_t n, uint64_t out_size, const std::string& where) {
  std::string out(out_size, '\0');
  z_stream zs{};
  CLIPPO_CHECK(inflateInit2(&zs, -MAX_WBITS) == Z_OK, kInternal, "zlib failed to initialise");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  zs.avail_in = static_cast<uInt>(n);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out_size);
  const int rc = inflate(&zs, Z_FINISH);
  const uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  CLIPPO_CHECK(rc == Z_STREAM_END && produced == out_size, kInvalidArgument,
               where + ": corrupt compressed data");
  return out;
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

std::map<std::string, NpyArray> parse_npz(const std::string& bytes, const std::string& name) {
  const Reader r(bytes, name);
  CLIPPO_CHECK(bytes.size() >= 22, kInvalidArgument, name + ": not an .npz archive (too short)");
  // The end-of-central-directory record is within the last 22 + 65535 bytes.
  int64_t eocd = -1;
  const int64_t lowest = std::max<int64_t>(0, static_cast<int64_t>(bytes.size()) - 22 - 65535);
  for (int64_t pos = static_cast<int64_t>(bytes.size()) - 22; pos >= lowest; --pos) {
    if (r.u(static_cast<uint64_t>(pos), 4, "end record") == kEndOfCentralDirSig) { eocd = pos; break; }
  }
  CLIPPO_CHECK(eocd >= 0, kInvalidArgument, name + ": not an .npz archive (no zip directory; truncated?)");
  uint64_t n_entries = r.u(eocd + 10, 2, "end record");
  uint64_t cd_offset = r.u(eocd + 16, 4, "end record");
  if (n_entries == 0xFFFF || cd_offset == 0xFFFFFFFF) {
    CLIPPO_CHECK(eocd >= 20 && r.u(eocd - 20, 4, "zip64 locator") == kZip64LocatorSig, kInvalidArgument,
                 name + ": zip64 archive without its locator");
    const uint64_t z64 = r.u(eocd - 20 + 8, 8, "zip64 locator");
    CLIPPO_CHECK(r.u(z64, 4, "zip64 end record") == kZip64EndSig, kInvalidArgument, name + ": corrupt zip64 record");
    n_entries = r.u(z64 + 32, 8, "zip64 end record");
    cd_offset = r.u(z64 + 48, 8, "zip64 end record");
  }
  CLIPPO_CHECK(n_entries < 1'000'000, kInvalidArgument, name + ": implausible member count");

  std::map<std::string, NpyArray> arrays;
  uint64_t pos = cd_offset;
  for (uint64_t i = 0; i < n_entries; ++i) {
    CLIPPO_CHECK(r.u(pos, 4, "directory entry") == kCentralHeaderSig, kInvalidArgument,
                 name + ": corrupt zip directory (entry " + std::to_string(i) + ")");
    const uint64_t method = r.u(pos + 10, 2, "directory entry");
    const uint64_t crc = r.u(pos + 16, 4, "directory entry");
    uint64_t comp_size = r.u(pos + 20, 4, "directory entry");
    uint64_t size = r.u(pos + 24, 4, "directory entry");
    const uint64_t name_len = r.u(pos + 28, 2, "directory entry");
    const uint64_t extra_len = r.u(pos + 30, 2, "directory entry");
    const uint64_t comment_len = r.u(pos + 32, 2, "directory entry");
    uint64_t local = r.u(pos + 42, 4, "directory entry");
    r.need(pos + 46, name_len + extra_len, "member name");
    std::string member = bytes.substr(pos + 46, name_len);
    // Zip64 extended information: the 8-byte values replace those stored as 0xFFFFFFFF.
    for (uint64_t e = pos + 46 + name_len; e + 4 <= pos + 46 + name_len + extra_len;) {
      const uint64_t id = r.u(e, 2, "extra field"), len = r.u(e + 2, 2, "extra field");
      uint64_t f = e + 4;
      if (id == 0x0001) {
        if (size == 0xFFFFFFFF) { size = r.u(f, 8, "zip64 extra"); f += 8; }
        if (comp_size == 0xFFFFFFFF) { comp_size = r.u(f, 8, "zip64 extra"); f += 8; }
        if (local == 0xFFFFFFFF) { local = r.u(f, 8, "zip64 extra"); f += 8; }
      }
      e += 4 + len;
    }
    pos += 46 + name_len + extra_len + comment_len;

    const std::string where = name + ":" + member;
    CLIPPO_CHECK(r.u(local, 4, "member header") == kLocalHeaderSig, kInvalidArgument, where + ": corrupt member header");
    const uint64_t data_start = local + 30 + r.u(local + 26, 2, "member header") + r.u(local + 28, 2, "member header");
    r.need(data_start, comp_size, member.c_str());
    CLIPPO_CHECK(size <= (uint64_t{1} << 36), kResourceExhausted, where + ": member too large");
    std::string npy;
    if (method == 0) {
      CLIPPO_CHECK(comp_size == size, kInvalidArgument, where + ": inconsistent sizes");
      npy = bytes.substr(data_start, size);
    } else if (method == 8) {
      // Deflate expands at most 1032:1 (zlib's documented bound). A member claiming more is
      // corrupt or hostile: refused before its claimed size is allocated (found by fuzzing).
      CLIPPO_CHECK(size <= comp_size * 1032 + 64, kInvalidArgument,
                   where + ": claims " + std::to_string(size) + " bytes from " + std::to_string(comp_size) +
                       " compressed, more than deflate can produce (corrupt file)");
      npy = inflate_raw(bytes.data() + data_start, comp_size, size, where);
    } else {
      throw Error(ErrorCode::kInvalidArgument, where + ": unsupported compression method " + std::to_string(method));
    }
    const uLong actual_crc = crc32_z(0L, reinterpret_cast<const Bytef*>(npy.data()), npy.size());
    CLIPPO_CHECK(actual_crc == crc, kInvalidArgument, where + ": CRC mismatch (corrupt file)");
    if (member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0) member.resize(member.size() - 4);
    arrays[member] = parse_npy(npy, where);
  }
  return arrays;
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  return parse_npz(read_file(path, uint64_t{1} << 36), path);
}

std::string encode_npz(const std::map<std::string, NpyArray>& arrays) {
  std::string out, directory;
  auto put = [](std::string& s, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  for (const auto& [key, array] : arrays) {
    const std::string npy = encode_npy_array(array);
    const std::string member = key + ".npy";
    const uint64_t crc = crc32_z(0L, reinterpret_cast<const Bytef*>(npy.data()), npy.size());
    const uint64_t offset = out.size();
    CLIPPO_CHECK(npy.size() < 0xFFFFFFFFull && offset < 0xFFFFFFFFull, kResourceExhausted,
                 "model too large for a non-zip64 archive");
    // Local header: version 20, no flags, stored, DOS date 1980-01-01.
    put(out, kLocalHeaderSig, 4); put(out, 20, 2); put(out, 0, 2); put(out, 0, 2);
    put(out, 0, 2); put(out, 0x21, 2); put(out, crc, 4); put(out, npy.size(), 4); put(out, npy.size(), 4);
    put(out, member.size(), 2); put(out, 0, 2);
    out += member;
    out += npy;
    put(directory, kCentralHeaderSig, 4); put(directory, 20, 2); put(directory, 20, 2); put(directory, 0, 2);
    put(directory, 0, 2); put(directory, 0, 2); put(directory, 0x21, 2); put(directory, crc, 4);
    put(directory, npy.size(), 4); put(directory, npy.size(), 4); put(directory, member.size(), 2);
    put(directory, 0, 2); put(directory, 0, 2); put(directory, 0, 2); put(directory, 0, 2);
    put(directory, 0, 4); put(directory, offset, 4);
    directory += member;
  }
  const uint64_t cd_offset = out.size();
  out += directory;
  put(out, kEndOfCentralDirSig, 4); put(out, 0, 2); put(out, 0, 2);
  put(out, arrays.size(), 2); put(out, arrays.size(), 2);
  put(out, directory.size(), 4); put(out, cd_offset, 4); put(out, 0, 2);
  return out;
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
