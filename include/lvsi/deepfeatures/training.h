#pragma once
/// \file
/// Transfer learning of the study's network: training-time augmentation
/// (random horizontal flip, random resized crop) and the options, log and
/// result of ResNet50::FineTune.  Plain C++: no LibTorch in this header.
#include <cstddef>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "lvsi/deepfeatures/export.h"

namespace lvsi::deepfeatures {

/// Training-time augmentation, as torchvision's RandomResizedCrop followed
/// by RandomHorizontalFlip.
struct LVSI_DEEPFEATURES_EXPORT AugmentSettings {
  bool horizontal_flip = true;  ///< Mirror left-right with probability 1/2.
  bool resized_crop = true;     ///< Random crop resized back to the input size.
  double min_scale = 0.6;       ///< Crop area as a fraction of the image: lower bound (torchvision: 0.08).
  double max_scale = 1.0;       ///< ... upper bound.
  double min_ratio = 3.0 / 4;   ///< Crop aspect ratio (width / height), drawn log-uniformly: lower bound.
  double max_ratio = 4.0 / 3;   ///< ... upper bound.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using AugmentOptions [[deprecated("use AugmentSettings")]] = AugmentSettings;

/// One augmented copy of a channel-major image (`channels` x `size` x
/// `size`, C order), drawn from `rng`.  The crop follows torchvision: up
/// to ten draws of area fraction (uniform in [min_scale, max_scale]) and
/// aspect ratio (log-uniform) until the crop fits, else the largest
/// central crop of a ratio within bounds; the crop is resized to `size` x
/// `size` bilinearly (half-pixel centres, as torch's interpolate with
/// align_corners = False).  All channels share the crop and the flip.
/// Throws InvalidArgument for a size that does not match or bad options.
LVSI_DEEPFEATURES_EXPORT std::vector<float> AugmentImage(const float* image, int channels, int size,
                                                         const AugmentSettings& options, std::mt19937_64& rng);

/// Optimiser of FineTune.
enum class Optimizer { kSgd, kAdam };
/// Learning-rate schedule over epochs.
enum class LearningRateSchedule {
  kConstant,  ///< The initial rate throughout.
  kStep,      ///< Multiplied by `gamma` every `step_size` epochs.
  kCosine     ///< Cosine annealing from the initial rate to 0 over `epochs`.
};

/// How FineTune computes its forward and backward passes.
enum class TrainingPath {
  kAuto,      ///< oneDNN when lvsi was built with it and the device is the CPU, else LibTorch.
  kOneDnn,    ///< oneDNN's training primitives (an InvalidArgument where unavailable).
  kLibTorch   ///< LibTorch's autograd: the reference, and the path on CUDA.
};

/// One epoch of FineTune.
struct EpochLog {
  int epoch = 0;                   ///< 1-based.
  double learning_rate = 0;        ///< Rate used in this epoch.
  double train_loss = 0;           ///< Mean (class-weighted) cross-entropy over the epoch's batches.
  double validation_loss = 0;      ///< On the inner validation split (NaN without one).
  double validation_auc = 0;       ///< Of the last class's probability, binary tasks only (else NaN).
  double seconds = 0;              ///< Wall time of the epoch.
  int train_images = 0;            ///< Images of the training pass (every batch).
  double train_seconds = 0;        ///< Wall time of the training pass (augmentation, forward, backward, updates).
  double images_per_second = 0;    ///< train_images / train_seconds.
  /// Convolution arithmetic of the training pass (2 FLOP per multiply-add:
  /// forward, weight gradients of trainable layers, input gradients where
  /// an earlier layer trains) per second of train_seconds, in GFLOP/s.
  double gflop_per_second = 0;
};

/// Settings of ResNet50::FineTune.
struct LVSI_DEEPFEATURES_EXPORT FineTuneSettings {
  int epochs = 10;                 ///< Upper bound on the number of epochs.
  int batch_size = 16;             ///< Images per optimiser step.
  Optimizer optimizer = Optimizer::kSgd;
  double learning_rate = 1e-3;     ///< Initial learning rate.
  double momentum = 0.9;           ///< SGD momentum (unused by Adam).
  double weight_decay = 1e-4;      ///< L2 penalty of the optimiser.
  LearningRateSchedule schedule = LearningRateSchedule::kCosine;
  int step_size = 5;               ///< kStep: epochs between decays.
  double gamma = 0.1;              ///< kStep: decay factor.
  /// Frozen part of the trunk: 0 trains everything; K in 1..3 freezes the
  /// stem (conv1, bn1) and layer1..layerK; 4 freezes the whole trunk so
  /// only the head (fc) trains.  Frozen batch-norm layers keep their
  /// running statistics (evaluation mode).
  int frozen_layers = 0;
  /// Re-estimate every batch-norm layer's running statistics on the
  /// training images before training (AdaBN: adapts an ImageNet network to
  /// MRI intensities; needed when the trunk starts from a random
  /// initialisation and is partly frozen), averaged over batches of
  /// `batch_size` images, the statistics training normalises with.  See
  /// ResNet50::AdaptBatchNorm (which averages over `inference_batch`).
  bool adapt_batch_norm = false;
  bool balanced_class_weights = false;  ///< Weight classes by n / (classes * n_class) in the loss.
  std::vector<double> class_weights;    ///< Explicit per-class loss weights (overrides balanced).
  /// Fraction of the images held out (stratified, binary labels) for early
  /// stopping; 0 trains on all images for `epochs` epochs.
  double validation_fraction = 0.2;
  int patience = 3;                ///< Stop after this many epochs without a lower validation loss.
  bool augment = true;             ///< Augment every training image every epoch.
  AugmentSettings augmentation;     ///< How.
  unsigned seed = 1;               ///< Split, shuffling and augmentation.
  TrainingPath path = TrainingPath::kAuto;  ///< See TrainingPath and docs/deepfeatures.md.
  /// Called after every epoch (progress display); the log also goes to
  /// lvsi's log.  During FineTune the network's convolution weights may lag
  /// behind the training (on the oneDNN path they reach the network at the
  /// best epoch's snapshot); read the network once FineTune has returned or
  /// thrown (an exception from on_epoch stops the training).
  std::function<void(const EpochLog&)> on_epoch;
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using FineTuneOptions [[deprecated("use FineTuneSettings")]] = FineTuneSettings;

/// What FineTune did.  The network keeps the weights of `best_epoch`
/// (the lowest validation loss; the last epoch without a validation split).
struct FineTuneResult {
  std::vector<EpochLog> history;
  int best_epoch = 0;
  bool stopped_early = false;
  std::vector<std::size_t> train_indices;       ///< Images trained on.
  std::vector<std::size_t> validation_indices;  ///< Images held out for early stopping.
  double seconds = 0;
  std::string path;  ///< The path that ran: "onednn" or "libtorch".
};

}  // namespace lvsi::deepfeatures
