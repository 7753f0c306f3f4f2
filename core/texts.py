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
        "**What to notice** (slides *Data augmentation*): every sample is a new, label-preserving view of the same "
        "photo, so the network never sees exactly the same input twice. Read under each sample what was drawn; "
        "the seed makes the whole grid reproducible.",
        "Every sample: a new view of the same photo, same label.",
    ),
    "bn.notice": Text(
        "**What to notice** (slides *Batch normalization*): normalizing what enters each non-linearity keeps the "
        "signal from collapsing or exploding, so the network trains faster and tolerates larger learning rates; "
        "at test time running averages replace the batch statistics.",
        "BN keeps every layer's input at mean 0, std 1: faster training, larger learning rates.",
    ),
    "mc.notice": Text(
        "**What to notice** (slides *Dropout*, *MC dropout*): one pass of a network is often confidently wrong on "
        "inputs unlike its training data. Averaging 25–100 passes with dropout on spreads the prediction and "
        "measures what the network does not know (mutual information).",
        "Many dropout passes: the spread shows what the network does not know.",
    ),
    "reg.notice": Text(
        "**What to notice** (slides *Advanced regularization*): for Adam, L2 is not weight decay (use AdamW); stop "
        "on the validation loss, not the training loss; averaging several networks removes the errors they do "
        "not share.",
        "AdamW, not Adam + L2; stop early on validation loss; ensembles average errors away.",
    ),
    "studio.samples": Text(
        "Sample k is exactly what `torch.manual_seed({seed})` followed by k + 1 calls of the pipeline gives "
        "(see *Code*). Under each sample: what was drawn for it.",
        "Same seed, same grid. Under each sample: what was drawn.",
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
        "An augmentation is only valid if it keeps the label. Rotate a **6** by 180° and it *is* a **9**. "
        "Each view below is scored against rendered templates of a 6 and a 9:",
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
        "move the loss. With BatchNorm every block starts at mean 0, std 1, and stays there while training.",
        "Without BN the signal shrinks with depth (std {first:.2f} → {last:.2f}); with BN every layer keeps std 1.",
    ),
    "bn.live": Text(
        "Press *Train both networks*. Then raise the learning rate to 0.2 or more and train again: the plain "
        "network stalls at chance while the BatchNorm network still learns.",
        "Train both, then raise the learning rate: BN still learns.",
    ),
    "bn.running": Text(
        "During training BN normalizes with the statistics of the **current batch**; at test time it uses "
        "**running averages** collected during training: $\\hat\\mu \\leftarrow \\beta_m \\hat\\mu + "
        "(1-\\beta_m)\\,\\mu_B$ (PyTorch's `momentum` is $1-\\beta_m$; it averages the *unbiased* batch variance).",
        "Test time uses running averages of the batch statistics.",
    ),
    "bn.modes": Text(
        "The shipped BN network on 500 test images. One image at a time in train mode normalizes every image with "
        "its own statistics: the prediction depends on what else is in the batch.",
        "In train mode a prediction depends on the rest of the batch.",
    ),
    "bn.batch_size": Text(
        "Four shipped networks, identical but for the normalization, on 512 test images normalized with the "
        "statistics of batches of each size (train mode). GroupNorm, LayerNorm and InstanceNorm compute them per "
        "image, so they do not care; BatchNorm's estimates get noisy, as in the GroupNorm paper's figure.",
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
        "(the diagonal). ECE weighs each bin's gap by its share of predictions. Here ECE is {off_ece:.3f} with "
        "dropout off and {mc_ece:.3f} for the MC average (model p = {p}). Statistics over this many images use "
        "one fixed seed (0), here and in *In vs out*: they hardly depend on it, and the class shares them.",
        "ECE: dropout off {off_ece:.3f}, MC average {mc_ece:.3f}.",
    ),
    "mc.tta": Text(
        "The dropout-off prediction of the same model, averaged over label-preserving views, on the 2,000 shipped "
        "test images. Where does averaging help, and which view hurts?",
        "Test-time augmentation: average the prediction over views.",
    ),
    "reg.decay": Text(
        "With plain gradient descent, adding λ/2·‖w‖² to the loss and decaying the "
        "weights are the same update (the learning rate folds into λ): the two SGD paths below coincide. With "
        "Adam they are not: `Adam(weight_decay=λ)` adds λw to the gradient, which Adam then rescales per weight, "
        "while `AdamW` shrinks every weight by the same factor (Loshchilov & Hutter, ICLR 2019). Drag λ.",
        "SGD: L2 = weight decay. Adam: L2 ≠ weight decay, use AdamW.",
    ),
    "reg.early_stopping": Text(
        "A CNN trained on only 1,000 images for 60 epochs with nothing against over-fitting: the training loss "
        "keeps falling while the validation loss (1,000 other training images) turns up. Early stopping ends "
        "training after *patience* epochs without a better validation loss and keeps the best weights. Compare the "
        "two accuracy columns: a rising validation *loss* can hide a still-improving accuracy, because the network "
        "grows over-confident on the images it gets wrong (see the MC Dropout Lab).",
        "Stop when the validation loss stops improving; keep the best weights.",
    ),
    "reg.ensembles": Text(
        "Six CNNs, identical but for the seed (or, for bagging, for a bootstrap sample of the 10,000 training "
        "images), each on the 2,000 shipped test images. Averaging their probabilities fixes the mistakes they do "
        "not share; MC dropout is an implicit ensemble of sub-networks with shared weights, on the same axes.",
        "Averaging models fixes the errors they do not share.",
    ),
}
