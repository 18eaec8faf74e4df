// lvsi_deepfeatures: ResNet-50 deep features of the largest tumour slice.
//   lvsi_deepfeatures finetune --manifest M.csv --sequence t2w -o t2w.pt [--weights resnet50.pt] [options]
//   lvsi_deepfeatures extract  --manifest M.csv --sequence t2w --weights t2w.pt -o features.csv
//   lvsi_deepfeatures extract  --input-npy X.npy --weights W.pt -o features.csv
//                              [--logits L.csv] [--gradcam-npy G.npy --target-class K]
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace df = lvsi::deepfeatures;

namespace {

// Weights saved by lvsi (fine-tuned) or a TorchScript export of torchvision.
void LoadWeights(df::ResNet50& net, const std::string& path) {
  try {
    net.LoadWeights(path);
  } catch (const lvsi::ModelError&) {
    net.LoadTorchvisionWeights(path);
  }
}

lvsi::io::CohortManifest Manifest(const std::string& path, const std::string& sequence) {
  auto m = lvsi::io::ReadManifest(path);
  if (std::find(m.sequences.begin(), m.sequences.end(), sequence) == m.sequences.end())
    throw lvsi::ManifestError(path, {"no sequence '" + sequence + "' (columns " + sequence + "_image, " + sequence +
                                     "_mask)"});
  return m;
}

void ReportSkipped(const df::SliceSet& s) {
  for (const auto& [id, why] : s.errors) std::cerr << "lvsi_deepfeatures: skipped " << id << ": " << why << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_deepfeatures " + lvsi::Version() + ": ResNet-50 transfer learning and deep features"};
  app.set_version_flag("--version", "lvsi_deepfeatures " + lvsi::Version());
  app.require_subcommand(1);
  std::string manifest, sequence, weights, out, npy, logits_out, gradcam_out;
  int classes = 2, size = 224, margin = 10, jobs = 0, target = 1;
  unsigned seed = 1;
  df::FineTuneSettings ft;
  std::string optimizer = "sgd", schedule = "cosine";

  auto* tune = app.add_subcommand("finetune", "fine-tune on the largest tumour slices of a manifest's sequence");
  tune->add_option("--manifest", manifest, "cohort manifest (all rows train)")->required()->check(CLI::ExistingFile);
  tune->add_option("--sequence", sequence, "sequence column prefix, e.g. t2w")->required();
  tune->add_option("--weights", weights, "starting weights (torchvision TorchScript export); none: random")
      ->check(CLI::ExistingFile);
  tune->add_option("-o,--out", out, "fine-tuned weights (LibTorch archive)")->required();
  tune->add_option("--epochs", ft.epochs, "epochs")->check(CLI::PositiveNumber);
  tune->add_option("--batch-size", ft.batch_size, "images per step")->check(CLI::PositiveNumber);
  tune->add_option("--optimizer", optimizer, "sgd or adam")->check(CLI::IsMember({"sgd", "adam"}));
  tune->add_option("--lr", ft.learning_rate, "initial learning rate");
  tune->add_option("--weight-decay", ft.weight_decay, "L2 penalty");
  tune->add_option("--schedule", schedule, "constant, step or cosine")->check(CLI::IsMember({"constant", "step", "cosine"}));
  tune->add_option("--freeze", ft.frozen_layers, "0: train all; K: freeze stem and layer1..K; 4: head only")
      ->check(CLI::Range(0, 4));
  tune->add_flag("--adapt-batch-norm", ft.adapt_batch_norm, "re-estimate batch-norm statistics on the images first");
  tune->add_flag("--balanced", ft.balanced_class_weights, "class-balanced loss weights");
  tune->add_option("--validation-fraction", ft.validation_fraction, "held out for early stopping (0: none)");
  tune->add_option("--patience", ft.patience, "epochs without improvement before stopping");
  std::string path = "auto";
  tune->add_option("--path", path, "auto (oneDNN on the CPU), onednn or libtorch (autograd)")
      ->check(CLI::IsMember({"auto", "onednn", "libtorch"}));

  auto* extract = app.add_subcommand("extract", "2048 features per image (and logits, Grad-CAM)");
  auto* from_manifest = extract->add_option("--manifest", manifest, "cohort manifest")->check(CLI::ExistingFile);
  extract->add_option("--sequence", sequence, "sequence column prefix, e.g. t2w (with --manifest)");
  extract->add_option("--input-npy", npy, "preprocessed float32 array [N,3,S,S] instead of a manifest")
      ->check(CLI::ExistingFile)
      ->excludes(from_manifest);
  extract->add_option("--weights", weights, "lvsi fine-tuned weights or a torchvision TorchScript export")
      ->required()
      ->check(CLI::ExistingFile);
  extract->add_option("-o,--out,--out-csv", out, "features (CSV)")->required();
  extract->add_option("--logits", logits_out, "class scores (CSV)");
  extract->add_option("--gradcam-npy", gradcam_out, "Grad-CAM maps of --target-class (float32 [N,h,w])");
  extract->add_option("--target-class", target, "class of the Grad-CAM maps");

  for (auto* sub : {tune, extract}) {
    sub->add_option("--classes", classes, "size of the network's head")->check(CLI::PositiveNumber);
    sub->add_option("--size", size, "slice size in pixels")->check(CLI::Range(32, 1024));
    sub->add_option("--margin", margin, "pixels around the tumour's bounding box")->check(CLI::NonNegativeNumber);
    sub->add_option("--seed", seed, "random seed");
    sub->add_option("-j,--jobs", jobs, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  return lvsi::RunProgram("lvsi_deepfeatures", [&] {
    df::ResNetSettings ro;
    ro.num_classes = classes;
    ro.seed = seed;
    ro.threads = jobs;
    lvsi::preprocessing::SliceSettings so;
    so.size = size;
    so.margin = margin;
    std::vector<std::string> inputs{manifest, weights, npy};
    if (!manifest.empty())
      for (const auto& c : lvsi::io::ReadManifest(manifest).cases)
        for (const auto& [q, files] : c.sequences) inputs.insert(inputs.end(), {files.image, files.mask, files.mask_r2});
    for (const std::string* output : {&out, &logits_out, &gradcam_out}) lvsi::CheckOutputIsNotInput(*output, inputs);
    if (tune->parsed()) {
      const auto m = Manifest(manifest, sequence);
      const df::SliceSet s = df::LoadTumourSlices(m, sequence, so, jobs);
      ReportSkipped(s);
      df::ResNet50 net(ro);
      if (!weights.empty()) net.LoadTorchvisionWeights(weights);
      ft.optimizer = optimizer == "adam" ? df::Optimizer::kAdam : df::Optimizer::kSgd;
      ft.schedule = schedule == "constant" ? df::LearningRateSchedule::kConstant
                    : schedule == "step"   ? df::LearningRateSchedule::kStep
                                           : df::LearningRateSchedule::kCosine;
      ft.seed = seed;
      ft.path = path == "onednn" ? df::TrainingPath::kOneDnn
                : path == "libtorch" ? df::TrainingPath::kLibTorch
                                     : df::TrainingPath::kAuto;
      ft.on_epoch = [&](const df::EpochLog& e) {
        std::fprintf(stderr,
                     "epoch %d/%d: lr %.3g, loss %.4f, validation loss %.4f, AUC %.3f (%.1f s; training %.1f images/s, "
                     "%.1f GFLOP/s)\n",
                     e.epoch, ft.epochs, e.learning_rate, e.train_loss, e.validation_loss, e.validation_auc, e.seconds,
                     e.images_per_second, e.gflop_per_second);
      };
      const auto r = net.FineTune(s.values, s.count(), s.labels, ft, size);
      net.Save(out);
      std::fprintf(stderr, "lvsi_deepfeatures: %d images, kept epoch %d of %zu (%s path) -> %s\n", s.count(),
                   r.best_epoch, r.history.size(), r.path.c_str(), out.c_str());
      return 0;
    }
    // extract
    std::vector<float> values;
    std::vector<std::string> ids;
    int n = 0;
    if (!npy.empty()) {
      std::vector<long> shape;
      values = df::ReadNpyFloat32(npy, &shape);
      if (shape.size() != 4 || shape[1] != 3 || shape[2] != shape[3])
        throw lvsi::FormatError(npy, "expected a float32 array of shape [N, 3, S, S]");
      n = static_cast<int>(shape[0]);
      size = static_cast<int>(shape[2]);
      for (int i = 0; i < n; ++i) ids.push_back(std::to_string(i));
    } else {
      if (manifest.empty() || sequence.empty()) throw lvsi::InvalidArgument("extract needs --manifest and --sequence, or --input-npy");
      const auto m = Manifest(manifest, sequence);
      df::SliceSet s = df::LoadTumourSlices(m, sequence, so, jobs);
      ReportSkipped(s);
      values = std::move(s.values);
      ids = s.case_ids;
      n = s.count();
    }
    df::ResNet50 net(ro);
    LoadWeights(net, weights);
    const std::string prefix = sequence.empty() ? "image" : sequence;
    df::DeepFeatureTable(net.Features(values, n, size), ids, prefix).WriteCsv(out);
    if (!logits_out.empty()) {
      const Eigen::MatrixXf l = net.Logits(values, n, size);
      std::vector<std::string> names;
      for (int c = 0; c < classes; ++c) names.push_back("logit_" + std::to_string(c));
      lvsi::FeatureTable(ids, names, l.cast<double>()).WriteCsv(logits_out);
    }
    if (!gradcam_out.empty()) {
      const auto maps = net.GradCam(values, n, target, size);
      std::vector<float> flat;
      for (const auto& m : maps)
        for (Eigen::Index r = 0; r < m.rows(); ++r)
          for (Eigen::Index c = 0; c < m.cols(); ++c) flat.push_back(m(r, c));
      df::WriteNpyFloat32(gradcam_out, flat, {n, maps.empty() ? 0 : maps[0].rows(), maps.empty() ? 0 : maps[0].cols()});
    }
    std::fprintf(stderr, "lvsi_deepfeatures: %d images x 2048 features -> %s\n", n, out.c_str());
    return 0;
  });
}
