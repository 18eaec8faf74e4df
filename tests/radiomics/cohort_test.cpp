// Cohort extraction end to end: several sequences, two readers, a failing
// case, kill-and-resume, shards and merge.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "lvsi/core/csv.h"
#include "lvsi/io/image_io.h"
#include "lvsi/io/manifest.h"
#include "lvsi/radiomics/cohort.h"
#include "test_util.h"

namespace lvsi::radiomics {
namespace {
namespace fs = std::filesystem;

// A small cohort: `n` cases with sequences a and b; case 2 has an empty b mask.
io::CohortManifest MakeCohort(const std::string& dir, int n) {
  io::CohortManifest m;
  m.sequences = {"a", "b"};
  for (int c = 0; c < n; ++c) {
    io::ManifestCase mc;
    mc.case_id = "c" + std::to_string(c);
    mc.label = c % 2;
    for (const std::string seq : {"a", "b"}) {
      Geometry g;
      g.size = {14, 12, 6};
      g.spacing = seq == "a" ? std::array<double, 3>{1, 1, 3} : std::array<double, 3>{2, 2, 3};
      Image img(g);
      Mask m1(g), m2(g);
      for (std::size_t k = 0; k < 6; ++k)
        for (std::size_t j = 0; j < 12; ++j)
          for (std::size_t i = 0; i < 14; ++i) {
            img(i, j, k) = 100 + 30 * std::sin(0.7 * i + c) * std::cos(0.5 * j) + 5 * k;
            const double r = std::hypot(i - 7.0, j - 6.0, (k - 2.5) * 2);
            m1(i, j, k) = r < 4.5 && !(c == 2 && seq == "b");
            m2(i, j, k) = r < 4.0 && !(c == 2 && seq == "b");
          }
      const std::string stem = dir + "/" + mc.case_id + "_" + seq;
      io::WriteImage(img, stem + ".nrrd");
      io::WriteMask(m1, stem + "_m1.nrrd");
      io::WriteMask(m2, stem + "_m2.nrrd");
      mc.sequences[seq] = {stem + ".nrrd", stem + "_m1.nrrd", stem + "_m2.nrrd"};
    }
    m.cases.push_back(mc);
  }
  io::WriteManifest(m, dir + "/cohort.csv");
  return io::ReadManifest(dir + "/cohort.csv");
}

TEST(Cohort, KillAndResumeGivesTheUninterruptedResult) {
  const std::string dir = testing::ScratchDir("cohort_resume");
  const io::CohortManifest manifest = MakeCohort(dir, 6);
  CohortExtractionSettings s;
  s.output_dir = dir + "/clean";
  s.threads = 2;
  const auto clean = CohortExtractor({}, s).Run(manifest);
  EXPECT_EQ(clean.extracted, 5u);
  ASSERT_EQ(clean.errors.size(), 1u);
  EXPECT_EQ(clean.errors[0].first, "c2");
  const FeatureTable reference = CohortExtractor::Merge(manifest, s.output_dir);
  EXPECT_EQ(reference.rows(), 5u);
  EXPECT_EQ(reference.cols(), 2u * 107u);
  EXPECT_NE(reference.column_names()[0].rfind("a_original_", 0), std::string::npos);

  // A run killed (SIGKILL-like _exit) after two cases finished.
  s.output_dir = dir + "/killed";
  s.threads = 1;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    CohortExtractionSettings k = s;
    k.progress = [](const ProgressEvent& e) {
      if (e.done == 2) _exit(9);
    };
    CohortExtractor({}, k).Run(manifest);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 9);
  const auto resumed = CohortExtractor({}, s).Run(manifest);
  EXPECT_EQ(resumed.reused + resumed.extracted + resumed.errors.size(), 6u);
  EXPECT_GE(resumed.reused, 1u);  // finished cases are not redone
  const FeatureTable after = CohortExtractor::Merge(manifest, s.output_dir);
  ASSERT_EQ(after.row_ids(), reference.row_ids());
  EXPECT_EQ(after.values(), reference.values());
  for (const auto& f : fs::directory_iterator(s.output_dir + "/cases"))
    EXPECT_EQ(f.path().filename().string().find(".tmp"), std::string::npos) << f.path();
  const CsvDocument errors = ReadCsv(s.output_dir + "/errors.csv");
  ASSERT_EQ(errors.rows.size(), 1u);
  EXPECT_EQ(errors.rows[0][0], "c2");
  EXPECT_TRUE(fs::exists(s.output_dir + "/features_reader2.csv"));
}

TEST(Cohort, ShardsAreDisjointAndMergeToTheWhole) {
  const std::string dir = testing::ScratchDir("cohort_shards");
  const io::CohortManifest manifest = MakeCohort(dir, 5);
  std::size_t total = 0;
  for (int i = 1; i <= 3; ++i) {
    CohortExtractionSettings s;
    s.output_dir = dir + "/out";
    s.shard_index = i;
    s.shard_count = 3;
    const auto r = CohortExtractor({}, s).Run(manifest);
    EXPECT_EQ(r.reused, 0u) << "shard " << i << " redid another shard's case";
    total += r.cases;
  }
  EXPECT_EQ(total, 5u);
  EXPECT_EQ(CohortExtractor::Merge(manifest, dir + "/out").rows(), 4u);  // c2 fails
  CohortExtractionSettings bad;
  bad.output_dir = dir + "/x";
  bad.shard_index = 4;
  bad.shard_count = 3;
  EXPECT_THROW(CohortExtractor({}, bad), InvalidArgument);
}

TEST(Cohort, ParseShardTakesIOverNWithinRange) {
  int i = 7, n = 7;
  EXPECT_TRUE(ParseShard("3/10", &i, &n));
  EXPECT_EQ(i, 3);
  EXPECT_EQ(n, 10);
  EXPECT_TRUE(ParseShard("1000000/1000000", &i, &n));
  EXPECT_EQ(i, 1000000);
  for (const char* bad : {"", "3", "3/", "/3", "0/4", "5/4", "1/0", "-1/4", "a/b", "1/1000001", "1/2/3", "1.5/2"}) {
    int bi = 7, bn = 7;
    EXPECT_FALSE(ParseShard(bad, &bi, &bn)) << bad;
    EXPECT_EQ(bi, 7) << bad << ": nothing written";
    EXPECT_EQ(bn, 7) << bad;
  }
}

// Finished cases are reused only while nothing that made them changed: a
// changed parameter, or another image under the same id, recomputes them;
// a copied folder (other paths, same contents) reuses them.
TEST(Cohort, CachedCasesFollowTheirSettingsAndInputs) {
  const std::string dir = testing::ScratchDir("cohort_keys");
  const io::CohortManifest manifest = MakeCohort(dir, 3);
  CohortExtractionSettings s;
  s.output_dir = dir + "/out";
  s.threads = 1;
  const auto first = CohortExtractor({}, s).Run(manifest);
  EXPECT_EQ(first.extracted, 2u);  // c2 fails
  EXPECT_EQ(CohortExtractor({}, s).Run(manifest).reused, 2u);
  // Another bin width: every finished case is extracted again.
  ExtractionParameters wider = ExtractionParameters::Defaults();
  wider.ApplySetting("binWidth", "5");
  const auto again = CohortExtractor({{"a", wider}}, s).Run(manifest);
  EXPECT_EQ(again.reused, 0u);
  EXPECT_EQ(again.extracted, 2u);
  const FeatureTable narrow = CohortExtractor::Merge(manifest, s.output_dir);
  // Another image under case c0's id: only c0 is extracted again.
  Image other = io::ReadImage(manifest.cases[0].sequences.at("a").image);
  for (std::size_t n = 0; n < other.size(); ++n) other[n] = 2 * other[n] + 1;
  io::WriteImage(other, manifest.cases[0].sequences.at("a").image);
  const auto changed = CohortExtractor({{"a", wider}}, s).Run(manifest);
  EXPECT_EQ(changed.extracted, 1u);
  EXPECT_EQ(changed.reused, 1u);
  const FeatureTable after = CohortExtractor::Merge(manifest, s.output_dir);
  const auto mean = after.FindColumn("a_original_firstorder_Mean");
  ASSERT_TRUE(mean);
  const auto m = static_cast<Eigen::Index>(*mean);
  EXPECT_NE(after.values()(0, m), narrow.values()(0, m));  // c0: new values
  EXPECT_EQ(after.values()(1, m), narrow.values()(1, m));  // c1: kept
  // The cohort and its results copied elsewhere: everything is reused.
  fs::copy(dir, dir + "_copy", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  io::CohortManifest moved = manifest;
  for (auto& c : moved.cases)
    for (auto& [q, f] : c.sequences)
      for (std::string* file : {&f.image, &f.mask, &f.mask_r2}) file->replace(0, dir.size(), dir + "_copy");
  CohortExtractionSettings copy = s;
  copy.output_dir = dir + "_copy/out";
  EXPECT_EQ(CohortExtractor({{"a", wider}}, copy).Run(moved).reused, 2u);
  // Merging cases made with different settings is refused.
  CohortExtractionSettings one = s;
  one.shard_count = 3;  // c0 only
  CohortExtractor({}, one).Run(manifest);
  EXPECT_THROW(CohortExtractor::Merge(manifest, s.output_dir), IoError);
  fs::remove_all(dir + "_copy");
}

// Case ids that are not safe file names stay inside the output folder,
// each with its own files.
TEST(Cohort, UnsafeCaseIdsStayInsideTheFolder) {
  const std::string dir = testing::ScratchDir("cohort_ids");
  io::CohortManifest manifest = MakeCohort(dir, 2);
  manifest.cases[0].case_id = "../../outside";
  manifest.cases[1].case_id = "../../outside/";  // a different id with the same safe characters
  CohortExtractionSettings s;
  s.output_dir = dir + "/deep/out";
  s.threads = 1;
  EXPECT_EQ(CohortExtractor({}, s).Run(manifest).extracted, 2u);
  EXPECT_FALSE(fs::exists(dir + "/outside.reader1.csv"));
  const FeatureTable t = CohortExtractor::Merge(manifest, s.output_dir);
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.row_ids()[0], "../../outside");
  EXPECT_EQ(t.row_ids()[1], "../../outside/");
}

}  // namespace
}  // namespace lvsi::radiomics
