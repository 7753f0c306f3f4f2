"""The explanations the pages show, each in full and as the one key sentence (for a projector).

Placeholders like ``{seed}`` are filled by the page with live numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    full: str  # markdown, for reading at a desk
    short: str  # the key sentence, for the back of a lecture hall


TEXTS: dict[str, Text] = {
    "studio.notice": Text(
        "**What to notice** (slides *Data augmentation*): every sample is a new random, label-preserving view of "
        "the same photo. How many different views there are depends on the pipeline: a flip alone gives only 2, "
        "while a random crop, scale or colour jitter makes exact repeats rare. Read under each sample what was "
        "drawn; the seed makes the whole grid reproducible.",
        "Every sample: a new random view of the same photo, same label.",
    ),
    "bn.notice": Text(
        "**What to notice** (slides *Batch normalization*): normalizing what enters each non-linearity keeps the "
        "signal from collapsing or exploding, so the network trains faster and tolerates larger learning rates; "
        "at test time running averages replace the batch statistics.",
        "BN normalizes each layer's input with batch statistics; γ and β then rescale it.",
    ),
    "mc.notice": Text(
        "**What to notice** (slides *Dropout*, *MC dropout*): one pass of a network is often confidently wrong on "
        "inputs unlike its training data. Averaging 25–100 passes with dropout on spreads the prediction and "
        "measures what the network does not know (mutual information).",
        "Many dropout passes: the spread shows what the network does not know.",
    ),
    "reg.notice": Text(
        "**What to notice** (slides *Data augmentation* and *Advanced regularization*): each tab trains or "
        "replays real networks and puts the lecture's claim next to what they measured, over 3 seeds with the "
        "spread. Where this small network behaves differently from the slide, the tab says so with the numbers.",
        "Each tab: the lecture's claim next to what these networks measured (3 seeds).",
    ),
    "reg.small_data": Text(
        "The same CNN trained from scratch on only **500** Fashion-MNIST images for 80 epochs (Adam, cosine "
        "schedule), once per training choice and seed. Dashed: accuracy on the 500 training images (clean, eval "
        "mode); solid: on 500 held-out validation images. The gap between them is over-fitting; the table gives "
        "the final test accuracy on the 2,000 shipped test images.",
        "500 training images, 80 epochs: training (dashed) vs validation (solid) accuracy.",
    ),
    "reg.same_augmentation": Text(
        "Test accuracy of two networks, each trained with and without flip + shift (3 seeds). Comparing a network "
        "trained with augmentation against one trained without measures the augmentation, not the network.",
        "Compare networks only under the same augmentation.",
    ),
    "reg.decay_cnn": Text(
        "The main CNN on 500 images with Adam (λ = 0), Adam with L2 (`Adam(weight_decay={decay})`) and AdamW "
        "(`AdamW(weight_decay={decay})`), same seeds and schedule. The weight norm starts at {start:.1f}. Without "
        "decay it grows to {none:.1f}; AdamW shrinks every weight by lr·λ per step and holds it at {adamw:.1f}. "
        "Adam + L2 adds λw to the gradient and then divides by Adam's running gradient scale, which is small for "
        "weights the loss hardly moves: their L2 pull is magnified, the norm falls to {adam_l2:.1f} and the network "
        "cannot even fit its 500 training images ({l2_train:.0%}). Same λ, different rules.",
        "Same λ: AdamW holds the weights at {adamw:.1f}, Adam + L2 drags them to {adam_l2:.1f}.",
    ),
    "claims.notice": Text(
        "Every claim of the lecture that this app demonstrates, next to what its own experiments measure: the "
        "effect in the lecture's direction (positive: the claim holds here), its spread across seeds, and a "
        "verdict. A claim counts as **shown** only when its effect is larger than twice the seed-to-seed spread "
        "and larger than a minimum that makes it clearly non-zero; otherwise the app says where this small "
        "network differs, with the numbers. Every page states a claim only as this table does.",
        "Each lecture claim, measured: shown only if larger than twice its seed spread.",
    ),
    "studio.samples": Text(
        "Sample k is exactly what `torch.manual_seed({seed})` followed by k + 1 calls of the pipeline gives "
        "(see *Code*). Under each sample: what was drawn for it.",
        "Same seed, same grid. Under each sample: what was drawn.",
    ),
    "studio.one": Text(
        "One augmentation on its own, before building a chain: pick a group and an augmentation, move its "
        "sliders, and compare the draws with the original (same seed and number of samples as the pipeline).",
        "One augmentation, several draws, next to the original.",
    ),
    "studio.mixing": Text(
        "CutMix and MixUp mix *pairs of images and their labels* in a batch: torchvision pairs each image with "
        "the one before it. MixUp blends whole images, λ·image + (1 − λ)·partner; CutMix pastes a box of the "
        "partner, and λ becomes the share of the image left uncovered. The label becomes the same mixture, so "
        "the loss asks for e.g. 62 % cat and 38 % coffee. λ ~ Beta(α, α): one draw for the whole batch.",
        "CutMix/MixUp: mix two images, and mix their labels by the same λ.",
    ),
    "studio.trivial_augment": Text(
        "TrivialAugmentWide draws **one** operation uniformly from the 14 below and **one** magnitude bin "
        "uniformly from 0–30; signed operations also flip a coin for the sign. Pick any of them here:",
        "TrivialAugment: one random operation, one random strength (bin 0–30) per image.",
    ),
    "studio.test_time_crops": Text(
        "At test time the lecture's networks average their prediction over fixed views: resize, then the four "
        "corner crops and the centre crop, of the image and of its mirror image.",
        "Test time: average the prediction over 10 fixed crops.",
    ),
    "studio.label": Text(
        "An augmentation is only valid if it keeps the label. Rotate a **6** by 180° and it *is* a **9**; flip it "
        "and it is a mirror image, no digit at all. Each view below is scored against rendered templates of a 6, "
        "a 9 and their mirror images (glyphs compared in their bounding boxes, templates tilted up to ±20°):",
        "A 6 rotated by 180° is a 9: augmentations must keep the label.",
    ),
    "studio.advice": Text(
        "The lecture's advice: choose augmentations that preserve the label for *your* data, treat the "
        "augmentation as part of the network design, and compare networks only under the same augmentation.",
        "Compare networks only under the same augmentation.",
    ),
    "bn.collapse": Text(
        "**What to notice.** At initialization the plain network's pre-activations shrink from std {first:.2f} in "
        "block 1 to {last:.2f} in block 4: the signal collapses with depth, and the first steps of training barely "
        "move the loss. BatchNorm normalizes each convolution's output with the batch's mean and variance, so at "
        "initialization (γ = 1, β = 0) every block's pre-activations have mean 0 and std 1. During training γ and "
        "β are learned and move them away again (the network can undo the normalization where that helps); the "
        "`fc` layer has no normalization at all.",
        "Without BN the signal shrinks with depth (std {first:.2f} → {last:.2f}); BN starts every block at std 1.",
    ),
    "bn.live": Text(
        "Press *Train both networks*: both start from the same seed and see the same batches. Then raise the "
        "learning rate and train again. The recorded sweep below, over 3 seeds, says what to expect at each rate.",
        "Train both, then raise the learning rate and compare with the recorded sweep.",
    ),
    "bn.lr_sweep": Text(
        "Both networks trained from the same three seeds for 150 SGD steps (batch 64) at each learning rate; the "
        "band is ±1 std over the seeds. A run whose loss turned inf or NaN counts with the accuracy it had then "
        "(chance, 10 %).",
        "BN vs plain across learning rates, 3 seeds.",
    ),
    "bn.init": Text(
        "Ten fully connected layers of 256 units on 512 test images, freshly initialized (biases 0). Too small "
        "weights: the signal dies with depth. Too large: tanh and sigmoid saturate (most units sit in their flat "
        "tails, where gradients vanish). Glorot/Xavier, as in the paper (no gain), keeps tanh's spread but lets "
        "ReLU's shrink by about √2 per layer; Kaiming/He keeps ReLU's. The dead-ReLU column does not change "
        "with the scheme: with zero biases, scaling every weight only rescales each unit's output, it cannot "
        "switch a unit on or off; what changes is the scale.",
        "Too small: signal dies; too large: saturation; Kaiming keeps ReLU's spread.",
    ),
    "bn.running": Text(
        "During training BN normalizes with the statistics of the **current batch**; at test time it uses "
        "**running averages** collected during training: $\\hat\\mu \\leftarrow \\beta_m \\hat\\mu + "
        "(1-\\beta_m)\\,\\mu_B$ (PyTorch's `momentum` is $1-\\beta_m$; it averages the *unbiased* batch variance).",
        "Test time uses running averages of the batch statistics.",
    ),
    "bn.modes": Text(
        "The shipped BN network on 500 test images. In train mode BN normalizes with the statistics of the batch it "
        "is given: in a batch of 500, each prediction depends on the other 499 images; one image at a time, each "
        "image is normalized with its own mean and variance, which erases what tells the classes apart. Eval mode "
        "uses the running averages and gives every image the same answer whatever else is evaluated.",
        "Test time needs the running averages: one image in train mode fails.",
    ),
    "bn.batch_size": Text(
        "Four shipped networks, identical but for the normalization, on 512 test images normalized with the "
        "statistics of batches of each size (train mode). GroupNorm, LayerNorm and InstanceNorm compute them per "
        "image, so they do not care; BatchNorm's estimates get noisy. (The GroupNorm paper's Figure 1 varies the "
        "*training* batch size; here the networks are trained alike and only the batch used to normalize at test "
        "time shrinks.)",
        "Tiny batches hurt BatchNorm only.",
    ),
    "bn.formula": Text(
        "Batch of {batch} test images, the shipped BN network, train mode. Over all values of this channel the hand "
        "computation and PyTorch's layer differ by at most {difference:.1e}.",
        "Hand computation = nn.BatchNorm2d (difference {difference:.1e}).",
    ),
    "mc.basics": Text(
        "The lecture's unit $z = \\theta_1 x_1 + \\theta_2 x_2$, here with $\\theta = ({t1:g}, {t2:g})$ and "
        "$x = ({x1:g}, {x2:g})$, so $\\theta \\cdot x = {t1:g} \\cdot {x1:g} + ({t2:g}) \\cdot {x2:g} = {full:g}$. "
        "Each input is kept with probability $q = 1 - p$. "
        "Without rescaling, $E[z] = q(\\theta_1 x_1 + \\theta_2 x_2)$, so the lecture scales the weights by $q$ at "
        "test time. PyTorch instead divides by $q$ while training (inverted dropout): then $E[z]$ is the full sum "
        "and nothing changes at test time.",
        "θ = ({t1:g}, {t2:g}), x = ({x1:g}, {x2:g}): PyTorch rescales while training, so test time needs no "
        "weight scaling.",
    ),
    "mc.perturbation": Text(
        "**What to notice.** Move the input away from the training data step by step. Predictive entropy (the MC "
        "average's total uncertainty) and mutual information (the part that comes from the passes disagreeing) "
        "rise, though not smoothly: at some angles the item happens to resemble a class again. Where the "
        "dropout-off confidence stays near 1 while mutual information rises (brightness, model p = 0.5), a single "
        "pass is over-confident and only the dropout passes show it. With p = 0.1 the passes hardly differ, so "
        "mutual information stays small.",
        "Distort the input: uncertainty rises; one confident pass can hide it (try brightness, p = 0.5).",
    ),
    "mc.ood": Text(
        "**What to notice.** The same network on Fashion-MNIST test items (in distribution), on the sample photos "
        "and on pure noise (out of distribution), each point one input. Mutual information, the part of the "
        "uncertainty that comes from the passes disagreeing, is near 0 for most Fashion-MNIST items and higher "
        "for inputs unlike the training data; predictive entropy also counts inputs that are merely ambiguous.",
        "Inputs unlike the training data: the passes disagree (higher mutual information).",
    ),
    "mc.calibration": Text(
        "Reliability diagram on the 2,000 shipped test images: a calibrated model's accuracy equals its confidence "
        "(the diagonal). ECE weighs each bin's gap by its share of predictions. For the {network}: ECE {off_ece:.3f} "
        "with dropout off, {mc_ece:.3f} for the MC average. The main model, trained on 60,000 images, is already "
        "well calibrated; the network trained on 500 images for 80 epochs is over-confident (its bars sit below "
        "the diagonal). Statistics over this many images use one fixed seed (0), here and in *In vs out*.",
        "ECE: dropout off {off_ece:.3f}, MC average {mc_ece:.3f}.",
    ),
    "mc.rotation": Text(
        "As in Gal & Ghahramani (2016, Fig. 4): the item rotated from 0° to 165° in 12 steps, 100 dropout passes "
        "at each angle. Each dot is one pass, for every class that leads at some angle. Where the passes scatter "
        "widely the network is unsure, even when its softmax output alone looks confident.",
        "Rotated item, 100 passes per angle: wide scatter = the network does not know.",
    ),
    "mc.tta": Text(
        "The dropout-off prediction of the selected main model, averaged over label-preserving views, on the 2,000 "
        "shipped test images. This model was trained **without** augmentation: it has never seen a mirrored item, "
        "so the mirrored view alone is poor and drags the average down.",
        "TTA on a network never trained with these views.",
    ),
    "mc.tta_trained": Text(
        "The same views for networks trained on 500 images with flip + shift, and for the same networks trained "
        "without augmentation (3 seeds each, accuracy mean ± std). The lecture's advice: test-time augmentation "
        "should use the augmentations the network was trained with.",
        "TTA: use the augmentations the network was trained with.",
    ),
    "reg.decay": Text(
        "With plain gradient descent, adding λ/2·‖w‖² to the loss and decaying the "
        "weights are the same update (the learning rate folds into λ): the two SGD paths below coincide. With "
        "Adam they are not: `Adam(weight_decay=λ)` adds λw to the gradient, which Adam then rescales per weight, "
        "while `AdamW` shrinks every weight by the same factor (Loshchilov & Hutter, ICLR 2019). Drag λ.",
        "SGD: L2 = weight decay. Adam: L2 ≠ weight decay, use AdamW.",
    ),
    "reg.early_stopping": Text(
        "The 500-image runs without any regularizer, evaluated every {per_epoch} epochs. Early stopping watches the "
        "**validation** loss (500 held-out images, never trained on), stops after *patience* evaluations without "
        "a new best and keeps the best weights; the test loss and accuracy show what that choice is worth on "
        "unseen data. When the loss and the accuracy disagree, the network is growing over-confident: it gets "
        "more images right while being very sure about the ones it gets wrong.",
        "Watch the validation loss; keep the best weights; check both test loss and accuracy.",
    ),
    "reg.ensembles": Text(
        "Six CNNs with BatchNorm and dropout 0.5, trained alike on 10,000 images for 2 epochs: different seeds, "
        "or (bagging) the same seed and each its own bootstrap sample of the images. Averaging their probabilities "
        "fixes the mistakes they do not share. MC dropout runs one of these very networks T times with dropout "
        "on: an implicit ensemble of sub-networks that share their weights, on the same axes (mean over the six).",
        "Averaging networks fixes the errors they do not share; MC dropout on the same networks, for comparison.",
    ),
}
