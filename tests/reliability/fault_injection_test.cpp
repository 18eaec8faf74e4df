// Fault injection: every program with a full disk (a file-size limit, as
// when a disk fills up) and with an output it cannot create, then killed at
// random moments while it works.  After each fault the same command run
// again must finish with exactly the results of an undisturbed run: no
// partial file survives, nothing finished is lost.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/io/synthetic.h"
#include "lvsi/version.h"
#include "test_util.h"

namespace lvsi {
namespace {
namespace fs = std::filesystem;

constexpr int kOutput = 5;

// A 20-patient synthetic cohort and a small parameter file, made once per
// process.
struct Inputs {
  std::string dir, manifest, params, params_args;
};

const Inputs& Shared() {
  static const Inputs inputs = [] {
    Inputs in;
    in.dir = testing::ProcessScratchDir("fault_inputs");
    io::SyntheticCohortSettings s;
    s.patients = 20;
    s.seed = 11;
    s.threads = 2;
    io::GenerateSyntheticCohort(in.dir + "/cohort", s);
    in.manifest = in.dir + "/cohort/cohort.csv";
    in.params = in.dir + "/params.yaml";
    WriteFileAtomically(in.params, "imageType:\n  Original: {}\n  LoG: {sigma: [2.0]}\nfeatureClass:\n  firstorder:\n"
                                   "  glcm:\n  glszm:\nsetting:\n  binWidth: 25\n");
    in.params_args = " -p t2w=" + in.params + " -p adc=" + in.params + " -p cet1=" + in.params;
    return in;
  }();
  return inputs;
}

int Status(int raw) { return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw); }

// Runs `command` in bash with standard output and error to `log`; with
// `file_limit_kb` > 0 every file the program writes is cut off there, as on
// a full disk (SIGXFSZ ignored, so writes fail with EFBIG).
int RunShell(const std::string& command, const std::string& log, int file_limit_kb = 0) {
  const std::string limit = file_limit_kb > 0 ? "ulimit -f " + std::to_string(file_limit_kb) + "; trap '' XFSZ; " : "";
  const std::string script = limit + "exec " + command + " > " + log + " 2>&1";
  std::string quoted = "'";
  for (char c : script) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return Status(std::system(("bash -c " + quoted + "'").c_str()));
}

// Starts `command` and kills it (SIGKILL, as the out-of-memory killer or a
// scheduler does) after `delay`; returns the status.
int RunAndKill(const std::string& command, const std::string& log, std::chrono::milliseconds delay) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/bash", "bash", "-c", ("exec " + command + " > " + log + " 2>&1").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  return Status(raw);
}

// The files under `dir` (relative name -> content), without logs.
std::map<std::string, std::string> Results(const std::string& dir, const std::vector<std::string>& names) {
  std::map<std::string, std::string> out;
  for (const auto& n : names) out[n] = fs::exists(dir + "/" + n) ? ReadTextFile(dir + "/" + n) : "(missing)";
  return out;
}

// Files a failed write must never leave behind.
std::vector<std::string> Leftovers(const std::string& dir) {
  std::vector<std::string> found;
  if (!fs::exists(dir)) return found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(e.path().string());
  return found;
}

// One program's fault cases: the command with "{out}" for its output, the
// result files to compare, a file-size limit that it passes.
struct Program {
  std::string name, command;
  std::vector<std::string> results;
  int limit_kb;
};

std::vector<Program> Programs() {
  const Inputs& in = Shared();
  std::vector<Program> p = {
      {"radiomics", std::string(LVSI_RADIOMICS_CLI) + " " + in.dir + "/cohort/images/P000_t2w.nii.gz " + in.dir +
                        "/cohort/images/P000_t2w_mask.nii.gz -p " + in.params + " -f csv -o {out}/features.csv",
       {"features.csv"}, 4},
      {"extract_cohort", std::string(LVSI_EXTRACT_COHORT_CLI) + " -m " + in.manifest + " -o {out}" + in.params_args + " -j 2",
       {"features_reader1.csv", "features_reader2.csv", "errors.csv"}, 16},
      {"cohort_demo", std::string(LVSI_COHORT_DEMO_CLI) + " -o {out} --patients 3 --param " + in.params + " -j 2",
       {"cohort/cohort.csv", "radiomics/features_reader1.csv", "radiomics/features_reader2.csv"}, 16},
      {"evaluate", std::string(LVSI_EVALUATE_CLI) + " " + in.dir + "/predictions.csv --scores rad --clinical stage -o {out} --bootstrap 50",
       {"report.json"}, 8},
  };
  std::string csv = "id,label,rad,stage\n";
  for (int n = 0; n < 40; ++n)
    csv += "P" + std::to_string(n) + "," + std::to_string(n % 3 == 0) + "," + FormatDouble(std::fmod(0.37 * n + 0.2 * (n % 3 == 0), 1.0)) +
           ",IB" + std::to_string(n % 3) + "\n";
  WriteFileAtomically(in.dir + "/predictions.csv", csv);
#if LVSI_WITH_DEEPFEATURES
  p.push_back({"deepfeatures", std::string(LVSI_DEEPFEATURES_CLI) + " finetune --manifest " + in.manifest +
                                   " --sequence t2w -o {out}/w.pt --size 32 --epochs 2 --batch-size 8 -j 1",
               {"w.pt"}, 64});
#endif
  return p;
}

class Faults : public ::testing::TestWithParam<std::string> {};

TEST_P(Faults, FullDiskThenRerunGivesTheUndisturbedResult) {
  const Program prog = [&] {
    for (const auto& p : Programs())
      if (p.name == GetParam()) return p;
    throw InvalidArgument("no program " + GetParam());
  }();
  const std::string dir = testing::ScratchDir("fault_disk_" + prog.name);
  auto command = [&](const std::string& out) {
    std::string c = prog.command;
    for (std::size_t at; (at = c.find("{out}")) != std::string::npos;) c.replace(at, 5, out);
    return c;
  };
  fs::create_directories(dir + "/clean");
  fs::create_directories(dir + "/full");
  ASSERT_EQ(RunShell(command(dir + "/clean"), dir + "/clean.log"), 0) << ReadTextFile(dir + "/clean.log");
  // A full disk: a clean error naming the output, no partial file.
  const int status = RunShell(command(dir + "/full"), dir + "/full.log", prog.limit_kb);
  const std::string log = ReadTextFile(dir + "/full.log");
  EXPECT_EQ(status, kOutput) << log;
  EXPECT_NE(log.find(dir + "/full"), std::string::npos) << log;  // names the file it could not write
  EXPECT_EQ(Leftovers(dir + "/full"), std::vector<std::string>{});
  for (const auto& name : prog.results) {
    const std::string path = dir + "/full/" + name;
    if (fs::exists(path)) {
      EXPECT_EQ(ReadTextFile(path), ReadTextFile(dir + "/clean/" + name)) << "partial " << name;
    }
  }
  // The disk freed, the same command finishes the work: the undisturbed result.
  ASSERT_EQ(RunShell(command(dir + "/full"), dir + "/rerun.log"), 0) << ReadTextFile(dir + "/rerun.log");
  EXPECT_EQ(Results(dir + "/full", prog.results), Results(dir + "/clean", prog.results));
  // An output that cannot be created at all (under /proc nothing can).
  const int denied = RunShell(command("/proc/lvsi_no_such_folder"), dir + "/denied.log");
  EXPECT_EQ(denied, kOutput) << ReadTextFile(dir + "/denied.log");
  EXPECT_NE(ReadTextFile(dir + "/denied.log").find("/proc/lvsi_no_such_folder"), std::string::npos)
      << ReadTextFile(dir + "/denied.log");
}

INSTANTIATE_TEST_SUITE_P(Programs, Faults, ::testing::ValuesIn([] {
                           std::vector<std::string> names;
                           for (const auto& p : Programs()) names.push_back(p.name);
                           return names;
                         }()));

// Killed at random moments, then run again: the cohort's tables are the
// undisturbed run's, byte for byte.
TEST(Kills, CohortExtractionKilledAnywhereResumesToTheSameTables) {
  const Inputs& in = Shared();
  const std::string dir = testing::ScratchDir("fault_kill_cohort");
  const std::string base = std::string(LVSI_EXTRACT_COHORT_CLI) + " -m " + in.manifest + in.params_args + " -j 2 -o ";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunShell(base + dir + "/clean", dir + "/clean.log"), 0) << ReadTextFile(dir + "/clean.log");
  const auto full = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const std::vector<std::string> tables{"features_reader1.csv", "features_reader2.csv", "errors.csv"};
  std::mt19937 rng(5);
  for (int round = 0; round < 3; ++round) {
    const std::string out = dir + "/run" + std::to_string(round);
    // Killed up to three times at random moments of a run's duration.
    for (int kill = 0; kill < 3; ++kill) {
      const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<long>(20, full.count())(rng));
      RunAndKill(base + out, dir + "/kill.log", delay);
    }
    ASSERT_EQ(RunShell(base + out, dir + "/resume.log"), 0) << ReadTextFile(dir + "/resume.log");
    EXPECT_EQ(Results(out, tables), Results(dir + "/clean", tables)) << "round " << round;
  }
}

#if LVSI_WITH_DEEPFEATURES
// Fine-tuning killed at random moments leaves no half-written weights, and
// the rerun gives the undisturbed network (training is deterministic).
TEST(Kills, FineTuningKilledAnywhereLeavesNoHalfFile) {
  const Inputs& in = Shared();
  const std::string dir = testing::ScratchDir("fault_kill_finetune");
  const std::string base = std::string(LVSI_DEEPFEATURES_CLI) + " finetune --manifest " + in.manifest +
                           " --sequence t2w --size 32 --epochs 2 --batch-size 8 -j 1 -o ";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunShell(base + dir + "/clean.pt", dir + "/clean.log"), 0) << ReadTextFile(dir + "/clean.log");
  const auto full = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::mt19937 rng(9);
  for (int round = 0; round < 3; ++round) {
    const std::string out = dir + "/w" + std::to_string(round) + ".pt";
    RunAndKill(base + out, dir + "/kill.log",
               std::chrono::milliseconds(std::uniform_int_distribution<long>(20, full.count())(rng)));
    if (fs::exists(out)) {
      EXPECT_EQ(ReadTextFile(out), ReadTextFile(dir + "/clean.pt")) << "half-written weights";
    }
    ASSERT_EQ(RunShell(base + out, dir + "/rerun.log"), 0) << ReadTextFile(dir + "/rerun.log");
    EXPECT_EQ(ReadTextFile(out), ReadTextFile(dir + "/clean.pt")) << "round " << round;
  }
}

// The whole study killed at random moments (radiomics, fine-tuning,
// modelling, the report) and resumed: the predictions and models of an
// undisturbed run.
TEST(Kills, StudyKilledAnywhereResumesToTheSamePredictions) {
  const Inputs& in = Shared();
  const std::string dir = testing::ScratchDir("fault_kill_study");
  WriteFileAtomically(dir + "/study.yaml",
                      "selection:\n  lasso_folds: 3\nsvm:\n  folds: 2\ndeep:\n  slice_size: 32\n  epochs: 1\n"
                      "  batch_size: 8\n  gradcam_cases: 0\nevaluation:\n  bootstrap: 0\n");
  const std::string base = std::string(LVSI_STUDY_CLI) + " --manifest " + in.manifest + " --config " + dir +
                           "/study.yaml --seed 4 -j 2 -o ";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunShell(base + dir + "/clean", dir + "/clean.log"), 0) << ReadTextFile(dir + "/clean.log");
  const auto full = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const std::vector<std::string> results{"predictions.csv", "split.csv", "models/rad.lvsi", "models/dl.lvsi",
                                         "models/rdl.lvsi", "radiomics/features_reader1.csv", "deep/t2w_features.csv"};
  std::mt19937 rng(13);
  for (int round = 0; round < 2; ++round) {
    const std::string out = dir + "/run" + std::to_string(round);
    for (int kill = 0; kill < 2; ++kill)
      RunAndKill(base + out, dir + "/kill.log",
                 std::chrono::milliseconds(std::uniform_int_distribution<long>(50, full.count())(rng)));
    ASSERT_EQ(RunShell(base + out, dir + "/resume.log"), 0) << ReadTextFile(dir + "/resume.log");
    EXPECT_EQ(Results(out, results), Results(dir + "/clean", results)) << "round " << round;
  }
}
#endif

}  // namespace
}  // namespace lvsi
