// `clippo classify` and `clippo eval zeroshot` end to end with the real binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "core/base/file_io.h"
#include "tests/api/cli/run_clippo.h"

namespace clippo::cli {
namespace {

namespace fs = std::filesystem;

TEST(ClassifyCommandTest, LabelsImagesAndAFolderDataset) {
  const fs::path dir = temp_dir() / "classify";
  remove_tree(dir.string());
  const std::string images = std::string(CLIPPO_TEST_DATA_DIR) + "/images/";
  fs::create_directories(dir / "data" / "grey");
  fs::create_directories(dir / "data" / "photo");
  fs::copy(images + "gray.png", dir / "data" / "grey" / "1.png");
  fs::copy(images + "photo.png", dir / "data" / "photo" / "1.png");
  fs::copy(images + "photo.jpg", dir / "data" / "photo" / "2.jpg");
  const std::string model = (dir / "m.npz").string();
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 16 --seed 4 -o " + model).exit_code, 0);

  const CommandResult c = run_clippo("classify --model " + model + " --labels 'cat, dog,猫' -k 2 --json " + images +
                                     "photo.png " + images + "gray.png");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto j = nlohmann::json::parse(c.out);
  ASSERT_EQ(j.size(), 2u);
  ASSERT_EQ(j[0]["labels"].size(), 2u);
  EXPECT_GE(j[0]["labels"][0]["score"].get<double>(), j[0]["labels"][1]["score"].get<double>());
  const CommandResult lines = run_clippo("classify --model " + model + " --labels cat,dog -k 1 " + images + "photo.png");
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_EQ(lines.out.rfind(images + "photo.png\t", 0), 0u) << lines.out;
  const CommandResult broken = run_clippo("classify --model " + model + " --labels cat,dog " + images + "truncated.jpg");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("skipping"), std::string::npos) << broken.err;
  EXPECT_EQ(run_clippo("classify --model " + model + " --labels cat,cat " + images + "photo.png").exit_code, 1);

  const CommandResult z = run_clippo("eval zeroshot --model " + model + " --data " + (dir / "data").string() +
                                     " --template 'a photo of {}.' --template 'an image of {}.' --json");
  ASSERT_EQ(z.exit_code, 0) << z.err;
  const auto r = nlohmann::json::parse(z.out);
  EXPECT_EQ(r["n_images"], 3);
  EXPECT_EQ(r["n_classes"], 2);
  EXPECT_DOUBLE_EQ(r["chance_top1"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(r["top5"].get<double>(), 1.0);  // two classes
  ASSERT_EQ(r["per_class"].size(), 2u);
  EXPECT_EQ(r["per_class"][1]["class"], "photo");
  EXPECT_EQ(r["per_class"][1]["n_images"], 2);
}

}  // namespace
}  // namespace clippo::cli
