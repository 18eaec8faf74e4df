// The bad-input matrix: every program of lvsi run on broken, absurd and
// extreme inputs, as a hostile but realistic user would give them.  Each
// case asserts the exit status (docs/reliability.md), that standard error
// names the file or setting at fault, that the program neither crashed nor
// hung, and that nothing was written or overwritten in the case's folder
// (its inputs are unchanged, no output appeared) unless the case expects
// success.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "lvsi/core/csv.h"
#include "lvsi/io/image_io.h"
#include "lvsi/io/synthetic.h"
#include "lvsi/models/logistic.h"
#include "lvsi/models/pipeline.h"
#include "lvsi/models/svm.h"
#include "lvsi/version.h"
#include "test_util.h"

namespace lvsi {
namespace {
namespace fs = std::filesystem;

// ---- inputs ------------------------------------------------------------------

void Write(const std::string& path, const std::string& text) { WriteFileAtomically(path, text); }

// A 20 x 18 x 8 image with an irregular texture, and its mask: a 6 x 6 x 4
// box of label 1.
Geometry SmallGeometry() {
  Geometry g;
  g.size = {20, 18, 8};
  g.spacing = {0.8, 0.8, 3.0};
  return g;
}

Image SmallImage() {
  Image img(SmallGeometry());
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = 100.0 + static_cast<double>((n * 37) % 101);
  return img;
}

LabelImage SmallMask(int label = 1) {
  LabelImage lab(SmallGeometry(), 0);
  for (std::size_t k = 2; k < 6; ++k)
    for (std::size_t j = 5; j < 11; ++j)
      for (std::size_t i = 6; i < 12; ++i) lab(i, j, k) = label;
  return lab;
}

// The small image with `value` at one ROI voxel (and optionally everywhere
// in the ROI), written as float32/float64 to `path`.
void WriteWithValue(const std::string& path, double value, bool whole_roi = false,
                    io::PixelType type = io::PixelType::kFloat32) {
  Image img = SmallImage();
  const LabelImage lab = SmallMask();
  bool first = true;
  for (std::size_t n = 0; n < img.size(); ++n)
    if (lab[n] == 1 && (whole_roi || first)) {
      img[n] = value;
      first = false;
    }
  io::WriteImage(img, path, {type, true});
}

// A NRRD header of any claim followed by `data` bytes.
void WriteNrrd(const std::string& path, const std::string& sizes, const std::string& type, const std::string& encoding,
               const std::string& data) {
  Write(path, "NRRD0004\ntype: " + type + "\ndimension: 3\nspace: left-posterior-superior\nsizes: " + sizes +
                  "\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nkinds: domain domain domain\nendian: little\nencoding: " +
                  encoding + "\nspace origin: (0,0,0)\n\n" + data);
}

// A NumPy .npy header with `header` (the dictionary) and `data` bytes.
void WriteNpy(const std::string& path, const std::string& header, const std::string& data) {
  std::string h = header;
  const std::size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string content("\x93NUMPY\x01\x00", 8);
  content += static_cast<char>(h.size() & 0xff);
  content += static_cast<char>((h.size() >> 8) & 0xff);
  Write(path, content + h + data);
}

std::string Floats(std::size_t n, float value) {
  std::vector<float> v(n, value);
  return std::string(reinterpret_cast<const char*>(v.data()), n * sizeof(float));
}

// The inputs every case may read (never written to), made once and shared
// by the test processes (ctest runs each case in its own): the first makes
// them under a lock, the others find the stamp.
void MakeGoodInputs(const std::string& dir);

const std::string& GoodDir() {
  static std::once_flag once;
  static std::string dir;
  std::call_once(once, [] {
    dir = std::string(LVSI_TEST_TMP) + "/bad_input_good";
    const std::string stamp = dir + "/ready";
    constexpr const char* kVersion = "inputs 1\n";  // raise when MakeGoodInputs changes
    fs::create_directories(LVSI_TEST_TMP);
    const int lock = ::open((std::string(LVSI_TEST_TMP) + "/bad_input_good.lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) throw IoError(dir, "cannot lock the shared inputs");
    if (!fs::exists(stamp) || ReadTextFile(stamp) != kVersion) {
      fs::remove_all(dir);
      fs::create_directories(dir);
      MakeGoodInputs(dir);
      Write(stamp, kVersion);
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
  });
  return dir;
}

void MakeGoodInputs(const std::string& dir) {
  {
    io::WriteImage(SmallImage(), dir + "/img.nrrd", {io::PixelType::kInt16, true});
    io::WriteLabelImage(SmallMask(), dir + "/mask.nrrd");
    io::WriteImage(SmallImage(), dir + "/img.nii.gz", {io::PixelType::kFloat32, true});
    io::WriteLabelImage(SmallMask(), dir + "/mask.nii.gz");
    Write(dir + "/params.yaml", "imageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n  glcm:\nsetting:\n  binWidth: 25\n");
    // A cohort of three patients (small synthetic images, two readers).
    io::SyntheticCohortSettings cohort;
    cohort.patients = 3;
    cohort.seed = 5;
    cohort.threads = 1;
    io::GenerateSyntheticCohort(dir + "/cohort", cohort);
    // Predictions of 40 patients for lvsi_evaluate.
    std::string csv = "id,label,rad,dl,age,stage,split\n";
    for (int n = 0; n < 40; ++n) {
      const int y = n % 3 == 0;
      const double rad = std::fmod(0.37 * n + 0.3 * y, 1.0), dl = std::fmod(0.61 * n + 0.2 * y, 1.0);
      csv += "P" + std::to_string(n) + "," + std::to_string(y) + "," + FormatDouble(rad) + "," + FormatDouble(dl) +
             "," + std::to_string(40 + n % 23) + "," + "IB" + std::to_string(1 + n % 3) + "," +
             (n < 28 ? "train" : "validation") + "\n";
    }
    Write(dir + "/predictions.csv", csv);
    // A trained pipeline file (logistic regression on two features).
    Eigen::MatrixXd x(20, 2);
    std::vector<int> y(20);
    for (int n = 0; n < 20; ++n) {
      y[static_cast<std::size_t>(n)] = n % 2;
      x(n, 0) = std::sin(n) + (n % 2);
      x(n, 1) = std::cos(3 * n);
    }
    selection::CompiledSelection sel;
    sel.input_features = {"t2w_a", "t2w_b"};
    sel.selected_features = {"t2w_a", "t2w_b"};
    sel.shift = {0, 0};
    sel.scale = {1, 1};
    models::LogisticRegression logistic;
    logistic.Train(x, y);
    models::TrainedPipeline("Rad", sel, logistic).Save(dir + "/logistic.lvsi");
    models::SvmClassifier svm;
    svm.Train(x, y);
    models::TrainedPipeline("Rad", sel, std::move(svm)).Save(dir + "/svm.lvsi");
  }
}

// A manifest of the good cohort's first patient(s) with other ids or files.
std::string CohortRow(const std::string& id, const std::string& label, int patient = 0, const std::string& t2w = "") {
  const CsvDocument doc = ReadCsv(GoodDir() + "/cohort/cohort.csv");
  std::string row;
  const auto& cells = doc.rows[static_cast<std::size_t>(patient)];
  for (std::size_t c = 0; c < doc.header.size(); ++c) {
    std::string v = cells[c];
    if (doc.header[c] == "case_id") v = id;
    if (doc.header[c] == "label") v = label;
    if (doc.header[c] == "t2w_image" && !t2w.empty()) v = t2w;
    if (doc.header[c].find("_image") != std::string::npos || doc.header[c].find("_mask") != std::string::npos)
      if (!v.empty() && !fs::path(v).is_absolute()) v = GoodDir() + "/cohort/" + v;
    row += (c ? "," : "") + CsvEscape(v);
  }
  return row + "\n";
}

std::string CohortHeader() {
  const CsvDocument doc = ReadCsv(GoodDir() + "/cohort/cohort.csv");
  std::string h;
  for (std::size_t c = 0; c < doc.header.size(); ++c) h += (c ? "," : "") + doc.header[c];
  return h + "\n";
}

// The good pipeline file with one JSON edit: `from` replaced by `to`
// (the first occurrence).
void EditModel(const std::string& source, const std::string& path, const std::string& from, const std::string& to) {
  std::string text = ReadTextFile(GoodDir() + "/" + source);
  const auto at = text.find(from);
  if (at == std::string::npos) throw InvalidArgument("EditModel: no '" + from + "' in " + source);
  Write(path, text.replace(at, from.size(), to));
}

// ---- cases -------------------------------------------------------------------

using Setup = std::function<void(const std::string& dir)>;

struct Case {
  std::string name;                   // the test's name
  std::string program;                // radiomics, extract_cohort, cohort_demo, evaluate, predict, deepfeatures, study
  std::string args;                   // {good}: the good inputs, {dir}: this case's folder
  int status;                         // expected exit status
  std::vector<std::string> messages;  // each appears on standard error
  Setup setup;                        // writes this case's inputs into {dir}
  bool writes = false;                // a success that may write outputs into {dir}
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

constexpr int kInput = 1, kUsage = 2, kSettings = 3, kPartial = 4, kOutput = 5, kModel = 6;

Setup Text(const std::string& name, const std::string& text) {
  return [=](const std::string& dir) { Write(dir + "/" + name, text); };
}

Setup Params(const std::string& yaml) { return Text("p.yaml", yaml); }

// lvsi_radiomics on the good image and mask with the parameter file `yaml`.
Case ParamCase(const std::string& name, const std::string& yaml, int status, std::vector<std::string> messages) {
  return {name, "radiomics", "{good}/img.nrrd {good}/mask.nrrd -p {dir}/p.yaml -f csv", status, std::move(messages),
          Params(yaml)};
}

// The same in IBSI mode (--format ibsi).
Case IbsiCase(const std::string& name, const std::string& yaml, int status, std::vector<std::string> messages) {
  return {name, "radiomics", "{good}/img.nrrd {good}/mask.nrrd -p {dir}/p.yaml --format ibsi -o {dir}/t.csv", status,
          std::move(messages), Params(yaml)};
}

// lvsi_radiomics on image `image` (made by `setup` in {dir}) and the good mask.
Case ImageCase(const std::string& name, Setup setup, const std::string& image, int status,
               std::vector<std::string> messages, const std::string& mask = "{good}/mask.nrrd") {
  return {name, "radiomics", "{dir}/" + image + " " + mask + " -p {good}/params.yaml -f csv", status,
          std::move(messages), std::move(setup)};
}

std::vector<Case> RadiomicsCases() {
  const std::string bad_image = "{dir}/x.nrrd";
  std::vector<Case> c = {
      // Images: missing, empty, garbage, absurd or lying headers, truncated.
      {"MissingImage", "radiomics", "{dir}/none.nrrd {good}/mask.nrrd", kPartial, {"{dir}/none.nrrd", "does not exist"}},
      {"MissingMask", "radiomics", "{good}/img.nrrd {dir}/none.nrrd", kPartial, {"{dir}/none.nrrd", "does not exist"}},
      ImageCase("EmptyImageFile", Text("x.nrrd", ""), "x.nrrd", kPartial, {bad_image}),
      ImageCase("GarbageImage", Text("x.nrrd", "this is not an image\n"), "x.nrrd", kPartial, {bad_image}),
      ImageCase("GarbageNifti", Text("x.nii.gz", std::string(400, 'x')), "x.nii.gz", kPartial, {"{dir}/x.nii.gz"}),
      ImageCase("NrrdClaimsHugeGzip", [](const std::string& d) { WriteNrrd(d + "/x.nrrd", "100000 100000 100000", "short", "gzip", "xx"); },
                "x.nrrd", kPartial, {bad_image, "limit of 2^31"}),
      ImageCase("NrrdClaimsHugeRaw", [](const std::string& d) { WriteNrrd(d + "/x.nrrd", "100000 100000 100000", "short", "raw", "xx"); },
                "x.nrrd", kPartial, {bad_image, "limit of 2^31"}),
      ImageCase("NrrdTruncatedRaw", [](const std::string& d) { WriteNrrd(d + "/x.nrrd", "20 18 8", "short", "raw", std::string(100, '\0')); },
                "x.nrrd", kPartial, {bad_image}),
      ImageCase("NrrdNegativeSize", [](const std::string& d) { WriteNrrd(d + "/x.nrrd", "20 -18 8", "short", "raw", std::string(100, '\0')); },
                "x.nrrd", kPartial, {bad_image}),
      ImageCase("NrrdZeroSize", [](const std::string& d) { WriteNrrd(d + "/x.nrrd", "0 18 8", "short", "raw", ""); },
                "x.nrrd", kPartial, {bad_image}),
      ImageCase("NrrdUnknownType", [](const std::string& d) { WriteNrrd(d + "/x.nrrd", "2 2 2", "banana", "raw", std::string(16, '\0')); },
                "x.nrrd", kPartial, {bad_image}),
      ImageCase("NiftiTruncated", [](const std::string& d) {
                  std::string t = ReadTextFile(GoodDir() + "/img.nii.gz");
                  Write(d + "/x.nii.gz", t.substr(0, t.size() / 2));
                }, "x.nii.gz", kPartial, {"{dir}/x.nii.gz"}),
      ImageCase("MetaImageLongFieldName",
                Text("x.mha", "ObjectType = Image\nNDims = 3\n" + std::string(300, 'k') + " = 1\nDimSize = 2 2 2\n"
                              "ElementType = MET_SHORT\nElementDataFile = LOCAL\n" + std::string(16, '\0')),
                "x.mha", kPartial, {"{dir}/x.mha", "field name of 300 characters"}),
      ImageCase("MetaImageRepeatedNDims",
                Text("x.mha", "ObjectType = Image\nNDims = 0\nNDims = 3\nDimSize = 2 2 2\n"
                              "ElementType = MET_SHORT\nElementDataFile = LOCAL\n" + std::string(16, '\0')),
                "x.mha", kPartial, {"{dir}/x.mha", "'NDims' twice"}),
      ImageCase("MetaImageDataFilePattern",
                Text("x.mha", "ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_SHORT\n"
                              "ElementDataFile = % LOCAL\n" + std::string(16, '\0')),
                "x.mha", kPartial, {"{dir}/x.mha", "pattern or a list"}),
      // A name without '=' takes its value from the next line in MetaIO, so
      // "ElementDataFile = LOCAL" there does not end MetaIO's header.
      ImageCase("MetaImageNameWithoutValue",
                Text("x.mha", "ObjectType = Image\nNDims = 3\nBinSHORT\nElementDataFile = LOCAL\nDimSize = 2 2 2\n"
                              "ElementType = MET_SHORT\nElementDataFile = LOCA%l\n" + std::string(16, '\0')),
                "x.mha", kPartial, {"{dir}/x.mha", "pattern or a list"}),
      ImageCase("ImageIsAFolder", [](const std::string& d) { fs::create_directories(d + "/x.nrrd"); }, "x.nrrd", kPartial, {bad_image}),
      // Non-finite voxels, in every format: refused, never read as 0.
      ImageCase("NiftiNaNVoxel", [](const std::string& d) { WriteWithValue(d + "/x.nii.gz", std::nan("")); }, "x.nii.gz",
                kPartial, {"{dir}/x.nii.gz", "NaN or infinite"}),
      ImageCase("NiftiInfVoxel", [](const std::string& d) { WriteWithValue(d + "/x.nii.gz", HUGE_VAL); }, "x.nii.gz",
                kPartial, {"{dir}/x.nii.gz", "NaN or infinite"}),
      ImageCase("UncompressedNiftiNaN", [](const std::string& d) { WriteWithValue(d + "/x.nii", std::nan(""), false, io::PixelType::kFloat64); },
                "x.nii", kPartial, {"{dir}/x.nii", "NaN or infinite"}),
      ImageCase("NrrdNaNVoxel", [](const std::string& d) { WriteWithValue(d + "/x.nrrd", std::nan("")); }, "x.nrrd",
                kPartial, {bad_image, "NaN or infinite"}),
      ImageCase("MetaImageInfVoxel", [](const std::string& d) { WriteWithValue(d + "/x.mha", -HUGE_VAL); }, "x.mha",
                kPartial, {"{dir}/x.mha", "NaN or infinite"}),
      // Extreme but finite intensities: a clear error where the bins cannot
      // be made, never a crash.
      ImageCase("FltMaxVoxel", [](const std::string& d) { WriteWithValue(d + "/x.nrrd", FLT_MAX); }, "x.nrrd", kPartial,
                {bad_image, "bin"}),
      ImageCase("NegativeFltMaxVoxel", [](const std::string& d) { WriteWithValue(d + "/x.nrrd", -FLT_MAX); }, "x.nrrd",
                kPartial, {bad_image, "bin"}),
      ImageCase("Near1e38Voxel", [](const std::string& d) { WriteWithValue(d + "/x.nrrd", 3e38); }, "x.nrrd", kPartial,
                {bad_image, "bin"}),
      ImageCase("Value1e300Float64", [](const std::string& d) { WriteWithValue(d + "/x.nrrd", 1e300, false, io::PixelType::kFloat64); },
                "x.nrrd", kPartial, {bad_image, "bin"}),
      {"DenormalRoi", "radiomics", "{dir}/x.nrrd {good}/mask.nrrd -p {good}/params.yaml -f csv -o {dir}/out.csv", 0, {},
       [](const std::string& d) { WriteWithValue(d + "/x.nrrd", 4.9e-324, true, io::PixelType::kFloat64); }, true},
      {"ConstantRoi", "radiomics", "{dir}/x.nrrd {good}/mask.nrrd -p {good}/params.yaml -f csv -o {dir}/out.csv", 0, {},
       [](const std::string& d) { WriteWithValue(d + "/x.nrrd", 7, true); }, true},
  };
  const std::vector<Case> more = {
      // Masks: empty, one voxel, another label, another grid, non-finite labels.
      {"EmptyMask", "radiomics", "{good}/img.nrrd {dir}/m.nrrd -p {good}/params.yaml -f csv", kPartial, {"{dir}/m.nrrd", "label 1"},
       [](const std::string& d) { io::WriteLabelImage(LabelImage(SmallGeometry(), 0), d + "/m.nrrd"); }},
      {"OneVoxelMask", "radiomics", "{good}/img.nrrd {dir}/m.nrrd -p {good}/params.yaml -f csv", kPartial, {"{dir}/m.nrrd"},
       [](const std::string& d) {
         LabelImage m(SmallGeometry(), 0);
         m(5, 5, 3) = 1;
         io::WriteLabelImage(m, d + "/m.nrrd");
       }},
      {"MaskOtherLabel", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -s label:7", kPartial, {"label 7"}},
      {"MaskOtherGrid", "radiomics", "{good}/img.nrrd {dir}/m.nrrd", kPartial, {"{dir}/m.nrrd"},
       [](const std::string& d) {
         Geometry g = SmallGeometry();
         g.size = {21, 18, 8};
         io::WriteLabelImage(LabelImage(g, 1), d + "/m.nrrd");
       }},
      {"MaskNaNLabels", "radiomics", "{good}/img.nrrd {dir}/m.nii.gz", kPartial, {"{dir}/m.nii.gz", "NaN"},
       [](const std::string& d) { WriteWithValue(d + "/m.nii.gz", std::nan("")); }},
      {"MaskChannelAbsent", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -s label_channel:3", 0, {}},
      // Parameter files: not YAML, wrong shapes, unknown names.
      ParamCase("ParamsNotYaml", "setting: [unclosed\n", kInput, {"{dir}/p.yaml", "YAML"}),
      ParamCase("ParamsAList", "- 1\n- 2\n", kInput, {"{dir}/p.yaml"}),
      ParamCase("ParamsUnknownSection", "settings:\n  binWidth: 5\n", kSettings, {"{dir}/p.yaml", "settings"}),
      ParamCase("ParamsUnknownSetting", "setting:\n  binWidht: 5\n", kSettings, {"{dir}/p.yaml", "binWidht"}),
      ParamCase("ParamsUnknownClass", "featureClass:\n  glcmm:\n", kSettings, {"{dir}/p.yaml", "glcmm"}),
      ParamCase("ParamsUnknownFeature", "featureClass:\n  glcm: [Banana]\n", kSettings, {"{dir}/p.yaml", "Banana"}),
      ParamCase("ParamsUnknownImageType", "imageType:\n  Fourier: {}\n", kSettings, {"{dir}/p.yaml", "Fourier"}),
      ParamCase("ParamsVoxelKernelRadiusZero", "voxelSetting:\n  kernelRadius: 0\n", kSettings, {"{dir}/p.yaml", "kernelRadius"}),
      ParamCase("ParamsVoxelUnknownKey", "voxelSetting:\n  kernelSize: 2\n", kSettings, {"{dir}/p.yaml", "kernelSize"}),
      ParamCase("LabelNotANumber", "setting:\n  label: abc\n", kSettings, {"{dir}/p.yaml", "label"}),
      // IBSI mode's section: a mapping as a key (found by fuzz_parameters),
      // unknown keys, values out of range.
      IbsiCase("IbsiMappingAsKey", "ibsi:\n? e:\n  Orig od: none\n", kSettings, {"{dir}/p.yaml"}),
      IbsiCase("IbsiUnknownKey", "ibsi:\n  discretisation: {method: fbs, bin_width: 25}\n  binWidth: 5\n", kSettings,
               {"{dir}/p.yaml", "binWidth"}),
      IbsiCase("IbsiNoDiscretisation", "ibsi:\n  dimensions: 3D\n", kSettings, {"{dir}/p.yaml", "discretisation"}),
      IbsiCase("IbsiZeroSpacing",
               "ibsi:\n  interpolation: {spacing: [0, 2, 2]}\n  discretisation: {method: fbn, bins: 32}\n", kSettings,
               {"{dir}/p.yaml", "spacing"}),
      IbsiCase("IbsiHugeBinCount", "ibsi:\n  discretisation: {method: fbn, bins: 1e12}\n", kSettings,
               {"{dir}/p.yaml", "bins"}),
      IbsiCase("IbsiTinyBinWidth", "ibsi:\n  discretisation: {method: fbs, bin_width: 1e-300}\n", kInput,
               {"{good}/img.nrrd", "grey level"}),
      IbsiCase("IbsiTinyIvhBinWidth",
               "ibsi:\n  discretisation: {method: fbs, bin_width: 25}\n  ivh: {method: fbs, bin_width: 1e-9}\n",
               kSettings, {"{dir}/p.yaml", "intensity-volume histogram"}),
      IbsiCase("IbsiRangeReversed",
               "ibsi:\n  resegmentation: {range: [400, -1000]}\n  discretisation: {method: fbs, bin_width: 25}\n",
               kSettings, {"{dir}/p.yaml", "range"}),
      ParamCase("LabelFraction", "setting:\n  label: 1.5\n", kSettings, {"{dir}/p.yaml", "label"}),
      ParamCase("LabelHuge", "setting:\n  label: 1e300\n", kSettings, {"{dir}/p.yaml", "label"}),
      // Every numeric setting at its extremes.
      ParamCase("BinWidthNegative", "setting:\n  binWidth: -1\n", kSettings, {"{dir}/p.yaml", "binWidth"}),
      ParamCase("BinWidthZero", "setting:\n  binWidth: 0\n", kSettings, {"{dir}/p.yaml", "binWidth"}),
      ParamCase("BinWidthNaN", "setting:\n  binWidth: .nan\n", kSettings, {"{dir}/p.yaml", "binWidth"}),
      ParamCase("BinWidthInf", "setting:\n  binWidth: .inf\n", kSettings, {"{dir}/p.yaml", "binWidth"}),
      ParamCase("BinWidthTiny", "setting:\n  binWidth: 1e-9\n", kPartial, {"binWidth"}),
      ParamCase("BinWidthDenormal", "setting:\n  binWidth: 4.9e-324\n", kPartial, {"binWidth"}),
      ParamCase("BinWidthHuge", "setting:\n  binWidth: 1e308\n", kPartial, {"binWidth 1e+308 is too large"}),
      ParamCase("BinCountHuge", "setting:\n  binCount: 2e9\n", kSettings, {"{dir}/p.yaml", "binCount"}),
      ParamCase("BinCountZero", "setting:\n  binCount: 0\n", kSettings, {"{dir}/p.yaml", "binCount"}),
      ParamCase("BinCountNegative", "setting:\n  binCount: -5\n", kSettings, {"{dir}/p.yaml", "binCount"}),
      ParamCase("DistancesNegative", "setting:\n  distances: [-1]\n", kSettings, {"{dir}/p.yaml", "distances"}),
      ParamCase("DistancesZero", "setting:\n  distances: [0]\n", kSettings, {"{dir}/p.yaml", "distances"}),
      ParamCase("DistancesEmpty", "setting:\n  distances: []\n", kSettings, {"{dir}/p.yaml", "distances"}),
      {"DistancesHuge", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -p {dir}/p.yaml -f csv -o {dir}/out.csv", 0,
       {"distance"}, Params("setting:\n  distances: [1000]\n"), true},
      ParamCase("WaveletLevel50", "imageType:\n  Wavelet: {}\nsetting:\n  level: 50\n", kSettings, {"{dir}/p.yaml", "level"}),
      ParamCase("WaveletLevelZero", "imageType:\n  Wavelet: {}\nsetting:\n  level: 0\n", kSettings, {"{dir}/p.yaml", "level"}),
      ParamCase("WaveletUnknown", "imageType:\n  Wavelet: {}\nsetting:\n  wavelet: banana\n", kSettings, {"{dir}/p.yaml", "banana"}),
      ParamCase("SigmaNegative", "imageType:\n  LoG: {sigma: [-1.0]}\n", kSettings, {"{dir}/p.yaml", "sigma"}),
      ParamCase("SigmaInf", "imageType:\n  LoG: {sigma: [.inf]}\n", kSettings, {"{dir}/p.yaml", "sigma"}),
      ParamCase("SigmaNaN", "setting:\n  sigma: [.nan]\n", kSettings, {"{dir}/p.yaml", "sigma"}),
      ParamCase("SpacingNegative", "setting:\n  resampledPixelSpacing: [-1, 1, 1]\n", kSettings, {"{dir}/p.yaml", "resampledPixelSpacing"}),
      ParamCase("SpacingNaN", "setting:\n  resampledPixelSpacing: [.nan, 1, 1]\n", kSettings, {"{dir}/p.yaml", "resampledPixelSpacing"}),
      ParamCase("SpacingTiny", "setting:\n  resampledPixelSpacing: [1e-9, 1e-9, 1e-9]\n", kPartial, {"resampledPixelSpacing", "limit"}),
      ParamCase("SpacingTwoValues", "setting:\n  resampledPixelSpacing: [1, 1]\n", kSettings, {"{dir}/p.yaml", "resampledPixelSpacing"}),
      ParamCase("PadDistanceHuge", "setting:\n  padDistance: 1000000000\n", kSettings, {"{dir}/p.yaml", "padDistance"}),
      ParamCase("PadDistanceNegative", "setting:\n  padDistance: -3\n", kSettings, {"{dir}/p.yaml", "padDistance"}),
      ParamCase("NormalizeScaleZero", "setting:\n  normalize: true\n  normalizeScale: 0\n", kSettings, {"{dir}/p.yaml", "normalizeScale"}),
      ParamCase("NormalizeScaleInf", "setting:\n  normalizeScale: .inf\n", kSettings, {"{dir}/p.yaml", "normalizeScale"}),
      ParamCase("VoxelArrayShiftNaN", "setting:\n  voxelArrayShift: .nan\n", kSettings, {"{dir}/p.yaml", "voxelArrayShift"}),
      ParamCase("RemoveOutliersNegative", "setting:\n  removeOutliers: -2\n", kSettings, {"{dir}/p.yaml", "removeOutliers"}),
      ParamCase("ResegmentRangeNaN", "setting:\n  resegmentRange: [.nan, 5]\n", kSettings, {"{dir}/p.yaml", "resegmentRange"}),
      ParamCase("ResegmentRangeThree", "setting:\n  resegmentRange: [1, 2, 3]\n", kSettings, {"{dir}/p.yaml", "resegmentRange"}),
      ParamCase("ResegmentModeUnknown", "setting:\n  resegmentMode: banana\n", kSettings, {"{dir}/p.yaml", "resegmentMode"}),
      ParamCase("InterpolatorUnknown", "setting:\n  interpolator: sitkBanana\n", kSettings, {"{dir}/p.yaml", "sitkBanana"}),
      ParamCase("GldmAlphaNaN", "setting:\n  gldm_a: .nan\n", kSettings, {"{dir}/p.yaml", "gldm_a"}),
      ParamCase("WeightingNormUnknown", "setting:\n  weightingNorm: banana\n", kSettings, {"{dir}/p.yaml", "banana"}),
      ParamCase("Force2DDimensionFive", "setting:\n  force2Ddimension: 5\n", kSettings, {"{dir}/p.yaml", "force2Ddimension"}),
      ParamCase("MinimumRoiDimensionsFour", "setting:\n  minimumROIDimensions: 4\n", kSettings, {"{dir}/p.yaml", "minimumROIDimensions"}),
      ParamCase("Lbp2DSamplesHuge", "imageType:\n  LBP2D: {}\nsetting:\n  lbp2DSamples: 1000\n", kSettings, {"{dir}/p.yaml", "lbp2DSamples"}),
      ParamCase("Lbp3DSubdivisionHuge", "imageType:\n  LBP3D: {}\nsetting:\n  lbp3DIcosphereSubdivision: 40\n", kSettings,
                {"{dir}/p.yaml", "lbp3DIcosphereSubdivision"}),
      ParamCase("LabelChannelNegative", "setting:\n  label_channel: -1\n", kSettings, {"{dir}/p.yaml", "label_channel"}),
      // Command-line settings and options.
      {"SettingNotANumber", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -s binWidth:abc", kSettings, {"binWidth"}},
      {"SettingWithoutValue", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -s binWidth", kSettings, {"binWidth"}},
      {"UnknownOption", "radiomics", "{good}/img.nrrd {good}/mask.nrrd --frobnicate", kUsage, {"frobnicate"}},
      {"JobsZero", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -j 0", kUsage, {"jobs"}},
      {"VoxelKernelRadiusHuge", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -m voxel -s kernelRadius:1000000", kSettings,
       {"kernelRadius"}},
      {"NoMask", "radiomics", "{good}/img.nrrd", kInput, {"no mask"}},
      {"ValidateMissing", "radiomics", "{good}/img.nrrd {dir}/none.nrrd --validate", kInput, {"Mask path"}},
      // Batch files.
      {"BatchNoMaskColumn", "radiomics", "{dir}/b.csv", kInput, {"Mask"}, Text("b.csv", "Image\n{good}/img.nrrd\n")},
      {"BatchLabelNotANumber", "radiomics", "{dir}/b.csv", kInput, {"{dir}/b.csv", "line 2", "Label", "abc"},
       Text("b.csv", "Image,Mask,Label\nimg.nrrd,mask.nrrd,abc\n")},
      {"BatchLabelHuge", "radiomics", "{dir}/b.csv", kInput, {"{dir}/b.csv", "Label", "1e20"},
       Text("b.csv", "Image,Mask,Label\nimg.nrrd,mask.nrrd,1e20\n")},
      {"BatchEmpty", "radiomics", "{dir}/b.csv", kInput, {"{dir}/b.csv"}, Text("b.csv", "")},
      {"BatchUnterminatedQuote", "radiomics", "{dir}/b.csv", kInput, {"{dir}/b.csv", "quote"},
       Text("b.csv", "Image,Mask\n\"img.nrrd,mask.nrrd\n")},
      {"BatchRaggedRow", "radiomics", "{dir}/b.csv", kInput, {"{dir}/b.csv", "line 2"},
       Text("b.csv", "Image,Mask\nimg.nrrd,mask.nrrd,extra\n")},
      // Outputs that would destroy an input, or cannot be written.
      {"OutputIsTheMask", "radiomics", "{good}/img.nrrd {dir}/m.nrrd -o {dir}/m.nrrd", kOutput, {"{dir}/m.nrrd", "is the input"},
       [](const std::string& d) { io::WriteLabelImage(SmallMask(), d + "/m.nrrd"); }},
      {"OutputIsTheParams", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -p {dir}/p.yaml -o {dir}/p.yaml", kOutput,
       {"{dir}/p.yaml", "is the input"}, Params("setting:\n  binWidth: 25\n")},
      {"OutputIsTheBatch", "radiomics", "{dir}/b.csv -o {dir}/b.csv", kOutput, {"{dir}/b.csv", "is the input"},
       Text("b.csv", "Image,Mask\n{good}/img.nrrd,{good}/mask.nrrd\n")},
      {"OutputLinkToImage", "radiomics", "{dir}/i.nrrd {good}/mask.nrrd -o {dir}/link.csv", kOutput, {"{dir}/link.csv", "is the input"},
       [](const std::string& d) {
         fs::copy_file(GoodDir() + "/img.nrrd", d + "/i.nrrd");
         fs::create_symlink(d + "/i.nrrd", d + "/link.csv");
       }},
      {"LogFileIsTheImage", "radiomics", "{dir}/i.nrrd {good}/mask.nrrd --log-file {dir}/i.nrrd", kOutput, {"{dir}/i.nrrd"},
       [](const std::string& d) { fs::copy_file(GoodDir() + "/img.nrrd", d + "/i.nrrd"); }},
      {"OutputInMissingFolder", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -o {dir}/no/such/out.csv", kOutput, {"{dir}/no/such/out.csv"}},
      {"OutputDiskFull", "radiomics", "{good}/img.nrrd {good}/mask.nrrd -f csv -o /dev/full", kOutput, {"/dev/full"}},
  };
  c.insert(c.end(), more.begin(), more.end());
  return c;
}

std::vector<Case> CohortCases() {
  const std::string t2w = "-p t2w={good}/params.yaml -p adc={good}/params.yaml -p cet1={good}/params.yaml --no-second-reader -j 1";
  return {
      {"ManifestMissing", "extract_cohort", "-m {dir}/none.csv -o {dir}/out", kUsage, {"{dir}/none.csv"}},
      {"ManifestEmpty", "extract_cohort", "-m {dir}/m.csv -o {dir}/out", kInput, {"{dir}/m.csv"}, Text("m.csv", "")},
      {"ManifestNoCaseId", "extract_cohort", "-m {dir}/m.csv -o {dir}/out", kInput, {"{dir}/m.csv", "case_id"},
       Text("m.csv", "label,t2w_image,t2w_mask\n1,a.nii.gz,b.nii.gz\n")},
      {"ManifestDuplicateIds", "extract_cohort", "-m {dir}/m.csv -o {dir}/out", kInput, {"{dir}/m.csv", "duplicate"},
       [](const std::string& d) { Write(d + "/m.csv", CohortHeader() + CohortRow("A", "1") + CohortRow("A", "0", 1)); }},
      {"ManifestLabelText", "extract_cohort", "-m {dir}/m.csv -o {dir}/out", kInput, {"{dir}/m.csv", "label"},
       [](const std::string& d) { Write(d + "/m.csv", CohortHeader() + CohortRow("A", "abc")); }},
      {"ManifestUnterminatedQuote", "extract_cohort", "-m {dir}/m.csv -o {dir}/out", kInput, {"{dir}/m.csv", "quote"},
       Text("m.csv", "case_id,label\n\"A,1\n")},
      {"ShardNotNumbers", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out --shard a/b", kSettings, {"--shard", "a/b"}},
      {"ShardZero", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out --shard 0/2", kSettings, {"--shard"}},
      {"ShardBeyond", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out --shard 3/2", kSettings, {"--shard"}},
      {"ShardHuge", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out --shard 1/99999999999", kSettings, {"--shard"}},
      {"ShardNoSlash", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out --shard 2", kSettings, {"--shard"}},
      {"ParamMissingFile", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out -p t2w={dir}/none.yaml", kInput,
       {"{dir}/none.yaml"}},
      {"ParamWithoutSequence", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out -p {good}/params.yaml", kSettings,
       {"SEQUENCE=FILE"}},
      {"ParamInvalid", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out -p t2w={dir}/p.yaml", kSettings,
       {"{dir}/p.yaml", "binWidth"}, Params("setting:\n  binWidth: -3\n")},
      {"OutputIsAFile", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/f " + t2w, kOutput, {"{dir}/f"}, Text("f", "keep\n")},
      {"JobsNegative", "extract_cohort", "-m {good}/cohort/cohort.csv -o {dir}/out -j -1", kUsage, {"jobs"}},
      {"CaseWithMissingImage", "extract_cohort", "-m {dir}/m.csv -o {dir}/out " + t2w, kInput, {"{dir}/m.csv", "{dir}/none.nii.gz"},
       [](const std::string& d) {
         Write(d + "/m.csv", CohortHeader() + CohortRow("A", "1") + CohortRow("B", "0", 1, d + "/none.nii.gz"));
       }},
      {"CaseWithCorruptImage", "extract_cohort", "-m {dir}/m.csv -o {dir}/out " + t2w, kPartial, {"B: ", "{dir}/bad.nii.gz"},
       [](const std::string& d) {
         Write(d + "/bad.nii.gz", "not a NIfTI file");
         Write(d + "/m.csv", CohortHeader() + CohortRow("A", "1") + CohortRow("B", "0", 1, d + "/bad.nii.gz"));
       }, true},
      {"CaseIdEscapingTheFolder", "extract_cohort", "-m {dir}/m.csv -o {dir}/out " + t2w, 0, {},
       [](const std::string& d) { Write(d + "/m.csv", CohortHeader() + CohortRow("../../escaped", "1")); }, true},
      {"CaseIdWithSlashesAndSpaces", "extract_cohort", "-m {dir}/m.csv -o {dir}/out " + t2w, 0, {},
       [](const std::string& d) { Write(d + "/m.csv", CohortHeader() + CohortRow("a/b c", "1")); }, true},
      {"DemoTooFewPatients", "cohort_demo", "-o {dir}/out --patients 1", kUsage, {"patients"}},
      {"DemoParamMissing", "cohort_demo", "-o {dir}/out --param {dir}/none.yaml", kUsage, {"{dir}/none.yaml"}},
      {"DemoParamInvalid", "cohort_demo", "-o {dir}/out --param {dir}/p.yaml --patients 3", kSettings,
       {"{dir}/p.yaml", "binCount"}, Params("setting:\n  binCount: 0\n")},
      {"DemoOutputIsAFile", "cohort_demo", "-o {dir}/f --patients 3", kOutput, {"{dir}/f"}, Text("f", "keep\n")},
  };
}

std::vector<Case> EvaluateCases() {
  auto predictions = [](std::function<std::string(int row, int label)> cell) {
    return [=](const std::string& d) {
      std::string csv = "id,label,rad\n";
      for (int n = 0; n < 20; ++n) csv += "P" + std::to_string(n) + "," + std::to_string(n % 2) + "," + cell(n, n % 2) + "\n";
      Write(d + "/p.csv", csv);
    };
  };
  const std::string run = "{dir}/p.csv --scores rad -o {dir}/out --bootstrap 0";
  return {
      {"PredictionsMissing", "evaluate", "{dir}/none.csv --scores rad -o {dir}/out", kUsage, {"{dir}/none.csv"}},
      {"PredictionsEmpty", "evaluate", run, kInput, {"{dir}/p.csv"}, Text("p.csv", "")},
      {"PredictionsHeaderOnly", "evaluate", run, kInput, {"{dir}/p.csv", "no patients"}, Text("p.csv", "id,label,rad\n")},
      {"NoLabelColumn", "evaluate", run, kInput, {"{dir}/p.csv", "label"}, Text("p.csv", "id,rad\nA,0.5\n")},
      {"NoScoreColumn", "evaluate", "{dir}/p.csv --scores dl -o {dir}/out", kInput, {"{dir}/p.csv", "dl"},
       predictions([](int, int) { return "0.5"; })},
      {"LabelTwo", "evaluate", run, kInput, {"{dir}/p.csv", "label must be 0 or 1"},
       Text("p.csv", "id,label,rad\nA,2,0.5\nB,0,0.1\n")},
      {"ScoreText", "evaluate", run, kInput, {"{dir}/p.csv", "rad"}, predictions([](int n, int) { return n == 3 ? "abc" : "0.4"; })},
      {"ScoreNaN", "evaluate", run, kInput, {"{dir}/p.csv", "finite"}, predictions([](int n, int) { return n == 3 ? "nan" : "0.4"; })},
      {"ScoreInf", "evaluate", run, kInput, {"{dir}/p.csv", "finite"}, predictions([](int n, int) { return n == 3 ? "inf" : "0.4"; })},
      {"ScoreAboveOne", "evaluate", run, kInput, {"{dir}/p.csv", "probability"}, predictions([](int n, int) { return n == 3 ? "1.5" : "0.4"; })},
      {"ScoreDenormal", "evaluate", run, 0, {}, predictions([](int n, int y) { return n == 3 ? "4.9e-324" : y ? "0.7" : "0.3"; }), true},
      {"OneClassOnly", "evaluate", run, kInput, {"{dir}/p.csv", "one class"},
       [](const std::string& d) {
         std::string csv = "id,label,rad\n";
         for (int n = 0; n < 10; ++n) csv += "P" + std::to_string(n) + ",1,0." + std::to_string(n) + "\n";
         Write(d + "/p.csv", csv);
       }},
      {"FeaturesNotANumber", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/out --features rad=abc", kSettings,
       {"--features", "rad=abc"}},
      {"FeaturesNegative", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/out --features rad=-4", kSettings, {"--features"}},
      {"FeaturesNoCount", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/out --features rad", kSettings, {"--features"}},
      {"ClinicalColumnMissing", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/out --clinical weight", kInput,
       {"weight"}},
      {"CohortColumnMissing", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/out --cohort-column site", kInput, {"site"}},
      {"BootstrapNegative", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/out --bootstrap -5", kUsage, {"bootstrap"}},
      {"EvaluateOutputIsAFile", "evaluate", "{good}/predictions.csv --scores rad -o {dir}/f --bootstrap 0", kOutput, {"{dir}/f"},
       Text("f", "keep\n")},
      {"EvaluateOutputIsTheInput", "evaluate", "{dir}/out/report.json --scores rad -o {dir}/out --bootstrap 0", kOutput,
       {"is the input"},
       [](const std::string& d) {
         fs::create_directories(d + "/out");
         fs::copy_file(GoodDir() + "/predictions.csv", d + "/out/report.json");
       }},
      // Table 1 on a categorical variable with 60 levels and 150 patients:
      // the exact test's cost limit gives a Monte-Carlo p within seconds.
      {"ClinicalManyLevels", "evaluate", "{dir}/p.csv --scores rad --clinical site -o {dir}/out --bootstrap 0", 0,
       {"Monte-Carlo"},
       [](const std::string& d) {
         std::string csv = "id,label,rad,site\n";
         for (int n = 0; n < 150; ++n)
           csv += "P" + std::to_string(n) + "," + std::to_string(n % 3 == 0) + "," + FormatDouble(std::fmod(0.37 * n, 1.0)) +
                  ",S" + std::to_string((n * 7) % 60) + "\n";
         Write(d + "/p.csv", csv);
       }, true},
  };
}

std::vector<Case> ModelCases() {
  auto model = [](const std::string& source, const std::string& from, const std::string& to) {
    return [=](const std::string& d) { EditModel(source, d + "/m.lvsi", from, to); };
  };
  const std::string predict = "--model {dir}/m.lvsi --manifest {good}/cohort/cohort.csv -o {dir}/out.csv";
  return {
      {"ModelMissing", "predict", "--model {dir}/none.lvsi --manifest {good}/cohort/cohort.csv -o {dir}/out.csv", kUsage, {"{dir}/none.lvsi"}},
      {"ModelNotJson", "predict", predict, kModel, {"{dir}/m.lvsi"}, Text("m.lvsi", "{not json")},
      {"ModelEmpty", "predict", predict, kModel, {"{dir}/m.lvsi"}, Text("m.lvsi", "")},
      {"ModelOtherFormat", "predict", predict, kModel, {"{dir}/m.lvsi", "format"}, Text("m.lvsi", "{\"format\": 12}")},
      {"ModelFutureVersion", "predict", predict, kModel, {"{dir}/m.lvsi", "version"}, model("logistic.lvsi", "\"version\":", "\"version\":99,\"x\":")},
      {"ModelSvmKernelBanana", "predict", predict, kModel, {"{dir}/m.lvsi", "banana"}, model("svm.lvsi", "\"kernel\":\"rbf\"", "\"kernel\":\"banana\"")},
      {"ModelSvmNegativeGamma", "predict", predict, kModel, {"{dir}/m.lvsi", "gamma"}, model("svm.lvsi", "\"gamma\":", "\"gamma\":-1,\"x\":")},
      {"ModelSvmOverflowingNumber", "predict", predict, kModel, {"{dir}/m.lvsi", "overflow"},
       model("svm.lvsi", "\"support_vectors\":[", "\"support_vectors\":[1e999,")},
      {"ModelSvmLabelsSeven", "predict", predict, kModel, {"{dir}/m.lvsi", "labels"}, model("svm.lvsi", "\"labels\":[", "\"labels\":[7,")},
      {"ModelLogisticNotJsonNaN", "predict", predict, kModel, {"{dir}/m.lvsi"}, model("logistic.lvsi", "\"intercept\":", "\"intercept\":NaN,\"x\":")},
      {"ModelLogisticNullIntercept", "predict", predict, kModel, {"{dir}/m.lvsi", "malformed"}, model("logistic.lvsi", "\"intercept\":", "\"intercept\":null,\"x\":")},
      {"ModelLogisticNoCoefficients", "predict", predict, kModel, {"{dir}/m.lvsi", "coefficients"}, model("logistic.lvsi", "\"coefficients\":[", "\"coefficients\":[],\"x\":[")},
      {"ModelThresholdTwo", "predict", predict, kModel, {"{dir}/m.lvsi", "threshold"}, model("logistic.lvsi", "\"threshold\":", "\"threshold\":2,\"x\":")},
      {"ModelScaleZero", "predict", predict, kModel, {"{dir}/m.lvsi", "scale"}, model("logistic.lvsi", "\"scale\":[", "\"scale\":[0,")},
      {"ModelSelectedNotInput", "predict", predict, kModel, {"{dir}/m.lvsi", "selected_features"},
       model("logistic.lvsi", "\"selected_features\":[\"t2w_a\"", "\"selected_features\":[\"t2w_zz\"")},
      {"ModelKindBanana", "predict", predict, kModel, {"{dir}/m.lvsi", "banana"}, model("logistic.lvsi", "\"model_kind\":\"logistic\"", "\"model_kind\":\"banana\"")},
      {"ModelNotFromStudy", "predict", predict, kModel, {"{dir}/m.lvsi", "lvsi_study"},
       [](const std::string& d) { fs::copy_file(GoodDir() + "/logistic.lvsi", d + "/m.lvsi"); }},
      {"PredictOutputIsTheManifest", "predict", "--model {good}/logistic.lvsi --manifest {dir}/m.csv -o {dir}/m.csv", kOutput,
       {"{dir}/m.csv", "is the input"},
       [](const std::string& d) { Write(d + "/m.csv", CohortHeader() + CohortRow("A", "1")); }},
      {"PredictOutputIsTheModel", "predict", "--model {dir}/m.lvsi --manifest {good}/cohort/cohort.csv -o {dir}/m.lvsi", kOutput,
       {"{dir}/m.lvsi", "is the input"}, [](const std::string& d) { fs::copy_file(GoodDir() + "/logistic.lvsi", d + "/m.lvsi"); }},
  };
}

std::vector<Case> DeepCases() {
  const std::string extract = "extract --input-npy {dir}/x.npy --weights {good}/logistic.lvsi -o {dir}/f.csv --size 32";
  return {
      {"NpyHugeShape", "deepfeatures", extract, kInput, {"{dir}/x.npy", "shape"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 3, 100000, 100000), }", Floats(16, 1)); }},
      {"NpyNegativeShape", "deepfeatures", extract, kInput, {"{dir}/x.npy"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3, 32, 32), }", Floats(16, 1)); }},
      {"NpyShapeText", "deepfeatures", extract, kInput, {"{dir}/x.npy", "abc"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (abc, 3, 32, 32), }", Floats(16, 1)); }},
      {"NpyTruncated", "deepfeatures", extract, kInput, {"{dir}/x.npy"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", Floats(100, 1)); }},
      {"NpyNaN", "deepfeatures", extract, kInput, {"{dir}/x.npy", "NaN"},
       [](const std::string& d) {
         std::string data = Floats(3 * 32 * 32, 0.5f);
         const float nan = std::numeric_limits<float>::quiet_NaN();
         std::memcpy(data.data() + 40, &nan, 4);
         WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", data);
       }},
      {"NpyFloat64", "deepfeatures", extract, kInput, {"{dir}/x.npy", "float32"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", Floats(6144, 0)); }},
      {"NpyNotSquare", "deepfeatures", extract, kInput, {"{dir}/x.npy", "shape"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 16), }", Floats(1536, 0)); }},
      {"NpyNotNumpy", "deepfeatures", extract, kInput, {"{dir}/x.npy"}, Text("x.npy", "PK\x03\x04 a zip file")},
      {"WeightsGarbage", "deepfeatures", "extract --input-npy {dir}/x.npy --weights {dir}/w.pt -o {dir}/f.csv", kModel, {"{dir}/w.pt"},
       [](const std::string& d) {
         WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", Floats(3072, 0.5f));
         Write(d + "/w.pt", "not a torch archive");
       }},
      {"FinetuneOutputIsTheWeights", "deepfeatures",
       "finetune --manifest {good}/cohort/cohort.csv --sequence t2w --weights {dir}/w.pt -o {dir}/w.pt --size 32 --epochs 1",
       kOutput, {"{dir}/w.pt", "is the input"}, Text("w.pt", "weights")},
      {"ExtractOutputIsTheNpy", "deepfeatures", "extract --input-npy {dir}/x.npy --weights {good}/logistic.lvsi -o {dir}/x.npy",
       kOutput, {"{dir}/x.npy", "is the input"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", Floats(3072, 0.5f)); }},
      {"FinetuneUnknownSequence", "deepfeatures", "finetune --manifest {good}/cohort/cohort.csv --sequence dwi -o {dir}/w.pt",
       kInput, {"dwi"}},
      {"SliceSizeTooSmall", "deepfeatures", "extract --input-npy {dir}/x.npy --weights {good}/logistic.lvsi -o {dir}/f.csv --size 8",
       kUsage, {"size"},
       [](const std::string& d) { WriteNpy(d + "/x.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }", Floats(3072, 0.5f)); }},
      {"StudyNothingToDo", "study", "-o {dir}/out", kUsage, {"--manifest"}},
      {"StudyConfigNotYaml", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --config {dir}/c.yaml", kInput,
       {"{dir}/c.yaml"}, Text("c.yaml", "deep: [unclosed\n")},
      {"StudyConfigUnknownKey", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --config {dir}/c.yaml", kSettings,
       {"{dir}/c.yaml", "epochz"}, Text("c.yaml", "deep:\n  epochz: 3\n")},
      {"StudyConfigNegativeEpochs", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --config {dir}/c.yaml", kSettings,
       {"{dir}/c.yaml", "epochs"}, Text("c.yaml", "deep:\n  epochs: -1\n")},
      {"StudyConfigIsTheOutput", "study", "--manifest {good}/cohort/cohort.csv -o {dir} --config {dir}/study_config.yaml", kOutput,
       {"{dir}/study_config.yaml", "is the input"}, Text("study_config.yaml", "deep:\n  epochs: 1\n")},
      {"StudyTooFewPatients", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out", kSettings, {"patients"}, nullptr, true},
      // The cluster stages (docs/study.md, "On a cluster").
      {"StudyShardWithoutStage", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --shard 1/2", kUsage, {"--shard"}},
      {"StudyShardBeyondCount", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --stage radiomics --shard 3/2",
       kUsage, {"3/2"}},
      {"StudyShardNotNumbers", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --stage radiomics --shard a/b",
       kUsage, {"a/b"}},
      {"StudyShardZero", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --stage radiomics --shard 0/4",
       kUsage, {"0/4"}},
      {"StudyUnknownStage", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --stage models", kUsage, {"models"}},
      {"StudyDeepWithoutSequence", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --stage deep", kUsage,
       {"--sequence"}},
      {"StudyStageOnTheDemo", "study", "--demo -o {dir}/out --stage radiomics --shard 1/2", kUsage, {"--demo"}},
      {"StudyDeepUnknownSequence", "study", "--manifest {good}/cohort/cohort.csv -o {dir}/out --stage deep --sequence dwi",
       kSettings, {"dwi", "t2w"}, nullptr, true},
  };
}

std::vector<Case> AllCases() {
  std::vector<Case> all;
  for (auto part : {RadiomicsCases(), CohortCases(), EvaluateCases()}) all.insert(all.end(), part.begin(), part.end());
#if LVSI_WITH_DEEPFEATURES
  for (auto part : {ModelCases(), DeepCases()}) all.insert(all.end(), part.begin(), part.end());
#endif
  return all;
}

// ---- running -----------------------------------------------------------------

std::string Program(const std::string& key) {
  static const std::map<std::string, std::string> programs = {
      {"radiomics", LVSI_RADIOMICS_CLI}, {"extract_cohort", LVSI_EXTRACT_COHORT_CLI},
      {"cohort_demo", LVSI_COHORT_DEMO_CLI}, {"evaluate", LVSI_EVALUATE_CLI},
#if LVSI_WITH_DEEPFEATURES
      {"predict", LVSI_PREDICT_CLI}, {"deepfeatures", LVSI_DEEPFEATURES_CLI}, {"study", LVSI_STUDY_CLI},
#endif
  };
  return programs.at(key);
}

std::string Expand(std::string text, const std::string& dir) {
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{good}", GoodDir()}, {"{dir}", dir}})
    for (std::size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
  return text;
}

// Every file and link under `dir` with its content (a link: its target).
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = fs::relative(it->path(), dir).string();
    if (it->is_symlink()) files[rel] = "-> " + fs::read_symlink(it->path()).string();
    else if (it->is_regular_file()) files[rel] = ReadTextFile(it->path().string());
    else files[rel] = "(folder)";
  }
  return files;
}

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, CleanErrorNothingLost) {
  const Case& c = GetParam();
  const std::string dir = testing::ScratchDir("bad_input/" + c.name);
  const std::string io = dir + ".io";
  fs::remove_all(io);
  fs::create_directories(io);
  if (c.setup) {
    // Setups name inputs by {good} and {dir} too.
    c.setup(dir);
    for (const auto& [name, content] : Snapshot(dir))
      if (content.find("{good}") != std::string::npos || content.find("{dir}") != std::string::npos)
        Write(dir + "/" + name, Expand(content, dir));
  }
  const auto before = Snapshot(dir);
  const std::string command = "cd " + dir + " && timeout 300 " + Program(c.program) + " " + Expand(c.args, dir) +
                              " > " + io + "/stdout 2> " + io + "/stderr";
  const int raw = std::system(command.c_str());
  const std::string err = ReadTextFile(io + "/stderr");
  ASSERT_TRUE(WIFEXITED(raw)) << command;
  const int status = WEXITSTATUS(raw);
  ASSERT_NE(status, 124) << "hung for 300 s: " << command;
  ASSERT_LT(status, 126) << "crashed (signal " << status - 128 << "): " << command << "\n" << err;
  EXPECT_EQ(status, c.status) << command << "\n" << err;
  for (const std::string& m : c.messages)
    EXPECT_NE(err.find(Expand(m, dir)), std::string::npos) << "standard error does not say '" << Expand(m, dir) << "':\n" << err;
  if (!c.writes) {
    const auto after = Snapshot(dir);
    for (const auto& [name, content] : after) {
      const auto was = before.find(name);
      if (was == before.end()) {
        ADD_FAILURE() << "written on failure: " << name;
      } else {
        EXPECT_TRUE(was->second == content) << "input changed: " << name;
      }
    }
    for (const auto& [name, content] : before) EXPECT_TRUE(after.count(name)) << "input removed: " << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, BadInput, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The cases that write must keep everything inside their folder: a case
// id like "../../escaped" names no file outside the output folder.
TEST(BadInputMatrix, EscapingCaseIdStaysInside) {
  const std::string dir = testing::ScratchDir("bad_input_escape");
  Write(dir + "/m.csv", CohortHeader() + CohortRow("../../escaped", "1"));
  const std::string out = dir + "/deep/er/out";
  fs::create_directories(out);
  const std::string command = std::string(LVSI_EXTRACT_COHORT_CLI) + " -m " + dir + "/m.csv -o " + out +
                              " -p t2w=" + GoodDir() + "/params.yaml -p adc=" + GoodDir() + "/params.yaml -p cet1=" +
                              GoodDir() + "/params.yaml --no-second-reader -j 1 > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_FALSE(fs::exists(dir + "/deep/escaped.reader1.csv"));
  EXPECT_FALSE(fs::exists(dir + "/deep/er/escaped.reader1.csv"));
  std::size_t inside = 0;
  for (const auto& e : fs::directory_iterator(out + "/cases")) inside += e.path().filename().string().find("escaped") != std::string::npos;
  EXPECT_EQ(inside, 2u);  // its features and its key
  const CsvDocument table = ReadCsv(out + "/features_reader1.csv");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0][0], "../../escaped");
}

TEST(BadInputMatrix, HasAtLeastAHundredCases) { EXPECT_GE(AllCases().size(), 100u); }

}  // namespace
}  // namespace lvsi
