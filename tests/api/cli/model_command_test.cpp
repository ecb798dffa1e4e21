// `clippo model` and `clippo encode` end to end with the real binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "core/base/file_io.h"
#include "tests/api/cli/run_clippo.h"

namespace clippo::cli {
namespace {

std::string temp(const std::string& name) { return (temp_dir() / name).string(); }

TEST(ModelCommandTest, InitInfoConvertEncodeRoundTrip) {
  const std::string m = temp("mu.npz"), m16 = temp("mu16.npz");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 --seed 3 -o " + m).exit_code, 0);
  CommandResult info = run_clippo("model info " + m + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j["architecture"]["width"], 32);
  EXPECT_EQ(j["embedding_dim"], 8);
  EXPECT_EQ(j["renderer"]["kind"], "unifont");
  EXPECT_EQ(j["format"], "clippo");

  ASSERT_EQ(run_clippo("model convert " + m + " -o " + m16 + " --dtype float16 --layout scanned").exit_code, 0);
  const auto j16 = nlohmann::json::parse(run_clippo("model info " + m16 + " --json").out);
  EXPECT_EQ(j16["dtype"], "float16");
  EXPECT_EQ(j16["layout"], "scanned");
  EXPECT_EQ(j16["n_parameters"], j["n_parameters"]);

  CommandResult a = run_clippo("encode --model " + m + " --text 'a red bus' --json");
  CommandResult b = run_clippo("encode --model " + m16 + " --text 'a red bus' --json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto ea = nlohmann::json::parse(a.out)["embedding"], eb = nlohmann::json::parse(b.out)["embedding"];
  ASSERT_EQ(ea.size(), 8u);
  double dot = 0;
  for (size_t i = 0; i < 8; ++i) dot += ea[i].get<double>() * eb[i].get<double>();
  EXPECT_GT(dot, 0.999);  // float16 weights, same function
}

TEST(ModelCommandTest, ImportRecordsRendererAndSource) {
  const std::string m = temp("src.npz"), out = temp("imported.npz");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 --image-size 32 -o " + m).exit_code, 0);
  const auto src = nlohmann::json::parse(run_clippo("model info " + m + " --json").out);
  const CommandResult r = run_clippo("model import " + m + " -o " + out + " --renderer shaped");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(run_clippo("model info " + out + " --json").out);
  EXPECT_EQ(j["meta"]["source_content_hash"], src["content_hash"]);
  EXPECT_EQ(j["meta"]["imported_from"], m);
  EXPECT_EQ(j["renderer"]["kind"], "shaped");
  EXPECT_EQ(j["renderer"]["image_size"], 32);  // the model's own size, read once from the file
  EXPECT_EQ(j["architecture"]["image_size"], 32);
  EXPECT_NE(run_clippo("model import " + m + " -o " + m).exit_code, 0);  // never in place
}

TEST(ModelCommandTest, BatchEncodingToNpyReportsBadInputs) {
  const std::string m = temp("batch.npz"), list = temp("images.txt"), out = temp("z.npy");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 -o " + m).exit_code, 0);
  const std::string data = CLIPPO_TEST_DATA_DIR;
  write_file_atomically(list, data + "/images/photo.jpg\n" + data + "/images/photo.gif\n" + data + "/images/photo.png\n");
  CommandResult r = run_clippo("encode --model " + m + " --images " + list + " -o " + out + " --json");
  EXPECT_EQ(r.exit_code, 1);  // one input failed
  EXPECT_NE(r.out.find("\"error\""), std::string::npos);
  EXPECT_NE(r.err.find("GIF"), std::string::npos);
  EXPECT_NE(read_file(out).find("'shape': (2, 8)"), std::string::npos);
}

TEST(ModelCommandTest, BrokenModelFilesGiveOneLineErrors) {
  const std::string bad = temp("bad.npz");
  write_file_atomically(bad, "definitely not a zip archive");
  for (const std::string& args : {"model info " + bad, "encode --model " + bad + " --text hi",
                                  std::string("model info /nonexistent.npz"), std::string("model init --variant Z/16 -o ") + bad,
                                  "encode --model " + bad}) {
    const CommandResult r = run_clippo(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << args << ": " << r.err;
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  }
}

}  // namespace
}  // namespace clippo::cli
