"""The explanations the pages show, each in full and as the one key sentence (for a projector); the Regularization
Lab's are in core.reg_texts.

Placeholders like ``{seed}`` are filled by the page with live numbers.
"""

from __future__ import annotations

from core.reg_texts import REG_TEXTS
from core.text import Text

TEXTS: dict[str, Text] = {
    "studio.notice": Text(
        "**What to notice** (slides *Data augmentation*): every sample is a new random, label-preserving view of "
        "the same photo. How many different views there are depends on the pipeline: a flip alone gives only 2, "
        "while a random crop, scale or colour jitter makes exact repeats rare. Read under each sample what was "
        "drawn; the seed makes the whole grid reproducible.",
        "Every sample: a new random view of the same photo, same label.",
    ),
    "bn.notice": Text(
        "**What to notice** (slides *Batch normalization*): BN normalizes what enters each non-linearity with the "
        "batch's statistics. Ioffe & Szegedy's argument is internal covariate shift: each layer's input distribution "
        "keeps changing while the layers before it learn, and normalizing it steadies what the next layer sees. What "
        "this lab's records show: in one run each (seed 0), the BN network trains faster than the plain one at "
        "PyTorch's default initialization; and, at 5 seeds, both with Kaiming initialization, it still learns at "
        "learning rates that stall the plain one. At test time running averages replace the batch statistics.",
        "BN normalizes each layer's input with batch statistics; γ and β then rescale it.",
    ),
    "mc.notice": Text(
        "**What to notice** (slides *Dropout*, *MC dropout*): one pass of a network is often confidently wrong on "
        "inputs unlike its training data. Averaging 25–100 passes with dropout on spreads the prediction; how much "
        "the passes disagree (mutual information) is, in Gal & Ghahramani's account, an approximation of the network's "
        "uncertainty about its weights.",
        "Many dropout passes: see how much they disagree.",
    ),
    "mc.subnetworks": Text(
        "The slide's *two models in one*: training with dropout trains every sub-network that a mask leaves, all "
        "sharing the same weights. Here two fixed masks (drawn with the seed above) each make one sub-network of "
        "the trained main model, applied to all 2,000 shipped test items: how often each is right, how often the "
        "two agree, and what averaging them and keeping every unit (dropout off) give.",
        "Two masks, two sub-networks of one trained net: each right, both, and their average.",
    ),
    "mc.variance_shift": Text(
        "The slide's *dropout usually does not work well with BatchNorm*, measured: a fresh nn.Dropout (the lab's p) "
        "and nn.BatchNorm1d in both orders, on the main model's real embeddings of the 2,000 test items. In "
        "training mode the BatchNorm layer averages the variance of what reaches it over batches of 100 (dropout "
        "masks drawn with the seed above); in eval mode dropout is off. The histogram: per unit, how far its "
        "test-time output spreads; training normalized it to 1.",
        "Dropout before BatchNorm: the variance it learned in training is too large at test time.",
    ),
    "bn.softmax": Text(
        "The recap: the network's last layer gives ten scores z (any real numbers); softmax turns them into "
        "probabilities, exp(z) normalized to sum to 1. Here the shipped BatchNorm network's scores for one test "
        "item, step by step (exp of z − max z, which leaves the probabilities unchanged and cannot overflow); "
        "the true class in the second colour. The probabilities equal torch.softmax's (a test checks).",
        "Scores → exp → normalize: the probability of each class.",
    ),
    "bn.undo": Text(
        "The slide's point: because γ and β are learned, the network can undo the normalization where that helps, "
        "since γ = σ_B and β = μ_B give the input back. Each dot is one channel of the chosen layer of the shipped "
        "BatchNorm network: its learned γ against the batch's σ_B, its β against μ_B (the same test batch as "
        "above). On the dashed diagonal a channel would undo the normalization; how far the dots stay from it is "
        "how much of the normalization the trained network kept.",
        "On the diagonal a channel would undo BN (γ = σ_B, β = μ_B).",
    ),
    "lecture.notice": Text(
        "The lecture *Data Augmentation and Advanced Regularization*, slide by slide in its order. Each title opens "
        "the view that shows the slide's point, with its settings (projected if this page is); while presenting, "
        "every view has *previous* and *next* links to walk the lecture without the sidebar. Beside a slide the "
        "app tests, its verdict links to *Lecture claims*. A slide without a demo says why.",
        "The lecture, slide by slide: one click opens each slide's demo.",
    ),
    "claims.notice": Text(
        "Every claim of the lecture that this app demonstrates, next to what its own experiments measure: the "
        "effect in the lecture's direction (positive: the claim holds here) with its 95 % interval, and a verdict. "
        "Where a claim is not shown, the verdict says whether it fails here or this test cannot see it, and the "
        "numbers say why. Every page states a claim only as this table does.",
        "Each lecture claim, measured: shown only if its 95 % interval lies above 0.",
    ),
    "studio.first_view": Text(
        "The server has just started: the controls load in a few seconds. Meanwhile, this view's pictures as "
        "torchvision drew them when the app was built, with seed 0 (a test checks that they still match).",
        "Controls loading: the pictures drawn with seed 0.",
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
        "augmentation as part of the network design, and compare networks only under the same augmentation. "
        "What augmentation buys a real network, measured: Regularization Lab › Small data.",
        "Compare networks only under the same augmentation.",
    ),
    "bn.collapse": Text(
        "**What to notice.** At initialization the plain network of these recorded runs (PyTorch's default "
        "initialization, not the lecture's Kaiming) has pre-activations that shrink from std {first:.2f} in block 1 "
        "to {last:.2f} in block 4: under that initialization the signal shrinks with depth, and the first steps of "
        "training barely move the loss. BatchNorm normalizes each convolution's output with the batch's mean and "
        "variance, so at initialization (γ = 1, β = 0) every block's pre-activations have mean 0 and std 1. During "
        "training γ and β are learned, so the network can rescale and shift them (and could undo the normalization "
        "where that helped); the `fc` layer has no normalization at all.",
        "Without BN, at PyTorch's default init, the signal shrinks with depth (std {first:.2f} → {last:.2f}); BN "
        "starts every block at std 1.",
    ),
    "bn.live": Text(
        "Press *Train both networks*: both start from the same seed (Kaiming initialization, the lecture's choice "
        "for ReLU networks) and see the same batches. Then raise the learning rate and train again. The recorded "
        "sweep below, over 5 seeds, says what to expect at each rate.",
        "Train both, then raise the learning rate and compare with the recorded sweep.",
    ),
    "bn.lr_sweep": Text(
        "Both networks (Kaiming initialization) trained from the same five seeds for 150 SGD steps (batch 64) at "
        "each learning rate and tested on the 10,000 test images; the band is ±1 std over the seeds. A run whose "
        "loss turned inf or NaN counts with the accuracy it had then (chance, 10 %).",
        "BN vs plain across learning rates, 5 seeds.",
    ),
    "bn.init": Text(
        "Ten fully connected layers of 256 units on 512 test images, freshly initialized (biases 0). Too small "
        "weights: the signal dies with depth. Too large: tanh and sigmoid saturate (most units sit in their flat "
        "tails, where gradients vanish). Glorot/Xavier, as in the paper (no gain), shrinks both: tanh's std "
        "falls layer by layer (the table's last column) and ReLU's by about √2 per layer. Kaiming/He with each "
        "activation's gain (5/3 for tanh, √2 for ReLU) keeps the spread. The dead-ReLU column does not change "
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
        "The shipped BN network on the 10,000 test images. In train mode BN normalizes with the statistics of the "
        "batch it is given: in batches of 500, each prediction depends on the other 499 images; one image at a "
        "time, each channel is normalized with that one image's mean and variance, which this network never saw in "
        "training. (Normalizing per image is not harmful in itself: the InstanceNorm network, trained that way, "
        "scores {instance:.1%} on the 10,000 test images. A guess, not measured: the harm is the mismatch between "
        "training and test.) Eval mode uses the running averages and gives every image the same answer whatever "
        "else is evaluated.",
        "Train-mode BN at test time: each answer depends on the batch; running averages fix it.",
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
        "dropout-off confidence stays near 1 while mutual information rises (brightness, model p = 0.5), the "
        "dropout-off prediction looks sure where the dropout passes disagree. With p = 0.1 the passes hardly "
        "differ, so mutual information stays small.",
        "Distort the input: uncertainty rises; the dropout-off prediction can hide it (try brightness, p = 0.5).",
    ),
    "mc.ood": Text(
        "**What to notice.** The same network on Fashion-MNIST test items (in distribution), on the sample photos "
        "and on pure noise (out of distribution), each point one input. Mutual information, the part of the "
        "uncertainty that comes from the passes disagreeing, is lower for most Fashion-MNIST items than for "
        "inputs unlike the training data (how much lower depends on p: the histogram shows it); predictive "
        "entropy also counts inputs that are merely ambiguous.",
        "Inputs unlike the training data: the passes disagree (higher mutual information).",
    ),
    "mc.calibration": Text(
        "Reliability diagram on the 2,000 shipped test images ({bins} equal-width confidence bins, as in Guo et al. "
        "2017): a calibrated model's accuracy equals its confidence (the diagonal); below it, over-confident; "
        "above it, under-confident. ECE weighs each bin's gap by its share of predictions. For the {network}: "
        "ECE {off_ece:.1%} with dropout off, {mc_ece:.1%} for the MC average of T passes. Statistics over this "
        "many images use one fixed seed (0), here and in *In vs out*.",
        "ECE: dropout off {off_ece:.1%}, MC average {mc_ece:.1%}.",
    ),
    "mc.rotation": Text(
        "As in Gal & Ghahramani (2016, Fig. 4): the item rotated from 0° to 165° in 12 steps, 100 dropout passes "
        "at each angle. Each dot is one pass, for every class that leads at some angle. Where the passes scatter "
        "widely the passes disagree, even where the dropout-off prediction alone looks confident.",
        "Rotated item, 100 passes per angle: wide scatter = the passes disagree.",
    ),
    "mc.tta": Text(
        "The dropout-off prediction of the selected main model, averaged over label-preserving views, on the 2,000 "
        "shipped test images. This model was trained **without** augmentation and has never seen a mirrored "
        "item: the mirrored view alone is much worse than the original, yet here the average that includes it is "
        "a little higher than the one without it (a handful of the 2,000 images, one network, no interval); the "
        "shifted views alone are worse than the original.",
        "TTA on a network never trained with these views.",
    ),
    "mc.tta_trained": Text(
        "The same views for networks trained on 500 images with flip + crop (Adam at rate {with_rate}), and for the "
        "same networks trained without augmentation (rate {without_rate}), each rate chosen on validation (round 12, "
        "seeds {seeds}, registered before their runs; accuracy mean ± std on the 10,000 test images), on clean test "
        "images and on test images that are themselves mirrored or shifted by 2 px. A network never trained with "
        "flips is far worse on a mirrored item; this app's finding is in the claim below.",
        "TTA on clean, mirrored and shifted test images, with and without training on the views.",
    ),
    "bn.norms": Text(
        "Wu & He's figure on a real batch: what enters a normalization of the BatchNorm network trained on "
        "Fashion-MNIST (the convolution's output), for N test images. All four compute (x − mean) / √(var + ε); they "
        "differ in which values share one mean and variance (blue: those sharing image 1, channel 1's). The table "
        "computes each with one grouping function and checks it against PyTorch's own layer (nn.BatchNorm2d, "
        "nn.LayerNorm, nn.InstanceNorm2d, nn.GroupNorm) on the same tensor.",
        "Same formula, different sets of values sharing one mean and variance (blue).",
    ),
    "bn.norms_numbers": Text(
        "The last column normalizes image 1 alone, as a batch of 1 would: only BatchNorm's output changes, "
        "because only its statistics come from the other images (at N = 1 it equals InstanceNorm). At test time "
        "BatchNorm uses its running averages instead, so its output no longer depends on the batch; the others "
        "compute the same at training and test time.",
        "Only BatchNorm depends on the rest of the batch.",
    ),
    "bn.deep": Text(
        "Fully connected networks of 128 units per layer on Fashion-MNIST, with the lecture's initialization for "
        "ReLU (Kaiming), plain or with BatchNorm after every linear layer, trained for {steps} SGD steps (momentum "
        "0.9) at each of the rates {rates}; each seed is shown at the rate its validation loss chose ({seeds} "
        "seeds, test accuracy on the 10,000 test images). Below: one depth's training loss and the gradient each "
        "layer receives at initialization.",
        "Plain vs BatchNorm MLPs of depth {depths}, Kaiming init, same budget, each at its best learning rate.",
    ),
    "bn.nonlin": Text(
        "Each non-linearity and its derivative, by autograd: backprop multiplies the gradient by f′(z) at every "
        "layer. Where f′ is about 0 (sigmoid's and tanh's flat tails, ReLU's negative side) almost nothing "
        "passes; Leaky ReLU keeps its slope, {slope:g}. Sigmoid's f′ is at most 0.25, so even unsaturated it "
        "shrinks the gradient 4-fold or more at every layer. Below, measured: {depth}-layer networks of 128 units "
        "({seeds} seeds), at initialization and after {steps} SGD steps at the rate chosen here, on {probe} "
        "held-out images.",
        "Flat tails and ReLU's zero side pass no gradient; Leaky ReLU passes {slope:g} of it.",
    ),
    "bn.nonlin_dead": Text(
        "Saturated: an output of sigmoid or tanh in its flat tail (within {margin} of its limits). Dead: a unit at "
        "or below zero for every one of the {probe} images, so on them a ReLU passes it no gradient (a Leaky ReLU "
        "still passes {slope:g} of it); the table shows whether such units stay dead or come back during training. "
        "‖∂L/∂W₁‖ is the gradient reaching the first layer: the slide's ∂L/∂w.",
        "Dead: negative for every image, so a ReLU unit gets no gradient.",
    ),
    "studio.preprocessing": Text(
        "The slide's two recipes, on real data. AlexNet subtracts the training set's **mean image** (one mean "
        "per pixel and channel; here the sample photos, each resized and centre-cropped to {side}×{side}, act "
        "as a tiny training set); VGG-Net subtracts the **per-channel mean**, and `v2.Normalize(mean, std)` "
        "also divides by the per-channel std. Below, your image after each, and its pixel values before and "
        "after.",
        "Mean image (AlexNet) or per-channel mean and std (VGG, v2.Normalize).",
    ),
    "studio.input_runs": Text(
        "The same fully connected network (2 layers of 128 units, ReLU, Kaiming initialization) trained on "
        "Fashion-MNIST for {steps} SGD steps (momentum 0.9), fed raw pixels in [0, 255], pixels scaled to [0, 1], or "
        "standardized pixels. Each kind of input gets every one of {count} rates from {low} to {high} (1, 1.5, 2, 3, "
        "5, 7 per decade), and each seed is shown at the rate its validation loss chose, so no arm loses for a rate "
        "that suits only the others ({seeds} seeds, each holding out its own 5,000 training images to choose the rate; "
        "test accuracy on 10,000 images).",
        "Same network, same budget: raw, [0, 1] and standardized inputs, each at its best rate.",
    ),
    "studio.memory": Text(
        "Augmentation can run *on the fly* (new random views every epoch, paid in CPU time at every step) or be "
        "*pre-computed* (K augmented copies of the training set made once, then only read: paid in memory, and "
        "the network only ever sees K views of each image). *Measure* times both on this server, now, with your "
        "pipeline and image: on the fly draws and applies the pipeline; pre-computed reads stored pictures from "
        "memory and makes them float tensors.",
        "On the fly costs CPU at every step; pre-computed costs memory and repeats views.",
    ),
    "studio.memory_verdict": Text(
        "Measured on this server for {pipeline}, one picture at a time in one thread, each way ending in the "
        "float tensor a loader hands the network. In the table pre-computing is the faster way whenever its "
        "copies fit in memory; its price is that memory and only K views of each image, where on the fly draws a "
        "new view every epoch. A guess, not measured: a loader with several workers divides both times.",
        "Pre-computed: fast to read, costly in memory. On the fly: fresh views, paid in CPU.",
    ),
    **REG_TEXTS,
}
