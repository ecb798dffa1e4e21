// Compression for test fixtures: what zip tools and gzip write, made with zlib directly so the
// readers under test are checked against an independent writer.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace clippo::testing {

// zlib deflate of `data`; window_bits -MAX_WBITS gives raw deflate (a zip member, method 8),
// 16 + MAX_WBITS a gzip file.
inline std::string zlib_deflate(const std::string& data, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::string deflate_raw(const std::string& data) { return zlib_deflate(data, -MAX_WBITS); }
inline std::string gzip(const std::string& data) { return zlib_deflate(data, 16 + MAX_WBITS); }

}  // namespace clippo::testing
