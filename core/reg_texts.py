"""The Regularization Lab's explanations (core.texts merges them with the other pages')."""

from __future__ import annotations

from core.text import Text

REG_TEXTS: dict[str, Text] = {
    "reg.notice": Text(
        "**What to notice** (slides *Data augmentation* and *Advanced regularization*): each tab trains or "
        "replays real networks and puts the lecture's claim next to what they measured, with a 95 % interval "
        "(over seeds or, where a tab says so, over resampled test images). Where this small network behaves "
        "differently from the slide, the tab says so with the numbers.",
        "Each tab: the lecture's claim next to what these networks measured.",
    ),
    "reg.small_data": Text(
        "The same CNN trained from scratch on only **500** Fashion-MNIST images for 300 epochs (Adam, cosine "
        "schedule), once per training choice and seed ({seeds} seeds); the table's last column says how much each "
        "choice's training loss still fell over its last 10 % of steps. Every run is tested at the end of its "
        "schedule (the same rule for all arms) on all **10,000** Fashion-MNIST test images; "
        "dropout's p and AdamW's λ were chosen on validation images of 3 draws of their own (500 each; the Weight "
        "decay tab shows how). Dropout's seeds 0-4 were trained when only the first draw had been tuned on; the "
        "other two left p where it was.",
        "500 training images, {seeds} seeds, every run tested at the end of its schedule on 10,000 test images.",
    ),
    "reg.invariance": Text(
        "The lecture's reason for augmentation: a classifier must not care about pose and illumination. So the 10,000 "
        "test images are transformed the way a photo of the item could differ: shifted, rotated, brighter or darker, "
        "with more or less contrast, mirrored (each image its own random direction, the same for every network). Flip "
        "+ crop (± erasing) simulates shifts of up to 2 px and mirror images while training; TrivialAugment simulates "
        "shifts, rotation, brightness and contrast, but no mirror images. Left end of each panel: the clean test "
        "images. Lines: mean over seeds {seeds} (round 2, every arm at Adam's rate 1e-3); "
        "band: ±1 std. The claim below is judged on seeds of its own, named in it.",
        "Test images shifted, rotated, re-lit, mirrored: who stays right?",
    ),
    "reg.invariance_item": Text(
        "Pick a test item and watch it move: under each view, the answer of the network trained **{without}** "
        "(*without*) and of the one trained with **{recipe}** (*with*), seed 0 of each, with its probability. The "
        "first item is one where the two differ; on many items both stay right (the figure above says how often).",
        "One item moved: without vs with augmentation.",
    ),
    "reg.grid": Text(
        "Other regimes: training-set sizes of 250 to 2,000 and no BatchNorm, one seed (100) each, without "
        "augmentation and with {recipe}, trained as above with the same 1,500 steps (600 epochs at 250 images, 150 "
        "at 1,000, 75 at 2,000, so the larger sets' augmented runs had not finished fitting: see their training "
        "accuracy; one fixed draw of images, not one per seed), each at the end of its schedule on the 2,000 "
        "shipped test images. Wider networks were not trained. One seed per point: compare a gain with the "
        "regime's seed-to-seed spread in the table above.",
        "Other regimes, 1 seed each: how much augmentation gains on clean test images.",
    ),
    "reg.same_augmentation": Text(
        "Test accuracy of two networks, each trained with and without RandAugment, each of the four at the Adam rate "
        "validation chose for it (the table below; seeds {seeds}, registered before their runs; earlier rounds, "
        "every network at Adam's untuned 1e-3, are in the claim's numbers). The lecture's advice: compare networks "
        "only under the same augmentation, since an unequal comparison mixes the augmentation's effect into the "
        "networks'. Whether that reverses the ranking here is below.",
        "The lecture: compare networks only under the same augmentation.",
    ),
    "reg.same_rates": Text(
        "The Adam rate of each of the four (round 12; width 16 without augmentation kept its round 8 choice), chosen "
        "on validation from {rates} ({tune_seeds} seeds per rate, each cell the mean validation accuracy in %; no "
        "test image played a part); the ✓ rate trained at the seeds above.",
        "Each network's Adam rate, chosen on validation (✓).",
    ),
    "reg.decay_cnn": Text(
        "The main CNN on 500 images with Adam (λ = 0), Adam with L2 (`Adam(weight_decay={l2:g})`) and AdamW "
        "(`AdamW(weight_decay={decoupled:g})`), each λ chosen on validation (the table below), same seeds and "
        "schedule. The weight norm starts at {start:.1f}. Without decay it ends at {none:.1f}; AdamW, which "
        "multiplies every weight by (1 − lr·λ) per step, ends at {adamw:.1f}; Adam + L2 ends at {adam_l2:.1f} and "
        "fits {l2_train:.0%} of its 500 training images at the end. Loshchilov & Hutter's explanation of why the "
        "rules differ: Adam divides the L2 term λw by its running gradient scale, which is small for weights the "
        "loss hardly moves, so their pull is magnified; the same λ is a different regularizer under each rule, so "
        "each is compared at its own best λ.",
        "Each at its own λ: AdamW ends at {adamw:.1f}, Adam + L2 at {adam_l2:.1f}.",
    ),
    "reg.decay": Text(
        "Two ways to apply λ. **L2**: add λ/2·‖w‖² to the loss, so λw joins the gradient (this is what "
        "`SGD(weight_decay=λ)` and `Adam(weight_decay=λ)` do). **Decoupled decay**, the slide's "
        "Θ ← (1 − αλ)Θ − α∇f: shrink the weights, then take the optimizer's step on the loss alone (written out "
        "here around `torch.optim.SGD`; `AdamW` does it built in). For plain SGD the two are the same update. "
        "With momentum the λw term is accumulated in the momentum buffer under L2 but not when decoupled, and "
        "Adam rescales it per weight (Loshchilov & Hutter, ICLR 2019). Solid: L2; dashed: decoupled. Drag λ.",
        "Plain SGD: L2 = decoupled decay. With momentum or Adam they differ.",
    ),
    "reg.early_stopping": Text(
        "The 500-image runs without any regularizer, trained with Adam at a **constant rate** (the claims' runs: "
        "the weights kept and those at the end were taken at the same rate) or in the **cosine schedule** of the "
        "other 500-image runs (its end is annealed, an early stop is not). Early stopping watches the "
        "**validation** loss (500 held-out images, never trained on), evaluated every epoch, stops after "
        "*patience* epochs without a new best and keeps the best weights (the loss claim's weights: the lowest "
        "validation loss of the whole run). The accuracy claim watches the validation accuracy instead and keeps "
        "its highest of the whole run. The test loss curve (2,000 shipped test "
        "images, every {per_epoch} epochs) and the table (all 10,000 test images, the weights of the highest "
        "validation accuracy and of the lowest validation loss against the end of the run; for the constant rate, "
        "seeds 0–9, the claims' being 5–9) show what that choice is worth on unseen data. Loss and accuracy can "
        "disagree: the table shows whether they do.",
        "Watch the validation loss; keep the best weights; check both test loss and accuracy.",
    ),
    "reg.ensembles": Text(
        "Six CNNs with BatchNorm and dropout 0.5, trained alike on 10,000 images for 2 epochs: different seeds, "
        "or (bagging) the same seed and each its own bootstrap sample of the images. Their probabilities are "
        "averaged, on the 10,000 test images. MC dropout runs one of these very networks T times with "
        "dropout on: an implicit ensemble of sub-networks that share their weights, on the same axes (mean over "
        "the six). The claim below is judged on other networks, trained longer at a rate chosen on validation: the "
        "five single networks of the *Checkpoint ensembles* tab.",
        "Averaging networks vs single members; MC dropout on the same networks, for comparison.",
    ),
    "reg.ensemble_squared": Text(
        "The lecture's argument, measured: with each member's error ε = p − y (probabilities minus the one-hot "
        "label), the average of k members has expected squared error v/k + (k − 1)c/k, where v is a member's "
        "mean squared error and c the mean product of two members' errors (averaged over every subset of k of "
        "the six seeds' members, the measured curve is exactly this). Only uncorrelated errors (c = 0) fall as "
        "v/k towards 0; correlated ones level off at c.",
        "Squared error of k averaged members: it levels off at the shared error c, not at 0.",
    ),
    "reg.decay_doses": Text(
        "How each λ was chosen at one rate, before round 2's compared runs: every λ of each rule's log grid trained at "
        "{tune_seeds} seeds (no augmentation), each seed on its own draw of 500 training and 500 validation images, "
        "and the one with the highest validation accuracy at the end of the schedule, averaged over those seeds (ties: "
        "the lower mean validation loss), trained at {seeds} seeds. Each figure below is the mean over the λ's "
        "{tune_seeds} runs. Decoupled decay multiplies the weights by a factor (1 − lr·λ) at every step, so on its own "
        "it would shrink them by exp(−Σ lr·λ), about exp(−0.75·λ) here; the gradient pulls them back. SGD (momentum "
        "0.9) has no shared rate, so its rate was chosen first, without decay and by the same rule, from {rates}: lr "
        "{sgd_lr:g}; its λ (PyTorch's `SGD(weight_decay=λ)`, an L2 term that passes through the momentum) at that "
        "rate. The test columns (10,000 images) are for reading: they played no part in the choice.",
        "λ chosen on validation, per rule; the test columns played no part.",
    ),
    "reg.decay_joint": Text(
        "Each rate chosen together with λ, as Loshchilov & Hutter tuned them; every pair trained at {tune_seeds} "
        "seeds, each cell the pair's mean validation accuracy (%), – where a pair was not trained; no test image "
        "played a part. ✓8 marks round 8's choices, each over all the rates {rates} (AdamW with λ 3 as well, the step "
        "beyond round 7's choice, and, once Adam + L2 had chosen its lowest λ, the step below each rule's: "
        "{extension}), trained at {seeds} fresh seeds for both Adam claims on this tab, and at {round14} more for the "
        "verdict on AdamW against no decay (round 14). ✓5 and ✓7 mark the earlier rounds' choices: round 5's over the "
        "first three rates, round 7's over the first four (Adam without decay and AdamW) and SGD + L2's over "
        "{sgd_rates} × three λ (second table), which its claim still reads.",
        "Rate and λ chosen together: mean validation accuracy %, ✓ and the round of each choice.",
    ),
    "reg.augmentation_rates": Text(
        "The rate of each arm of the augmentation claims (round 8), chosen on validation from {rates} ({tune_seeds} "
        "seeds per rate, each cell the mean validation accuracy in %; no test image played a part); the ✓ rate trained "
        "at {seeds} fresh seeds for the three augmentation claims on this tab (not for dropout's). The recipe's "
        "strength (2-px crop padding, torchvision's default erasing) was set in round 1, not tuned.",
        "Each arm's Adam rate, chosen on validation (✓).",
    ),
    "reg.dropout_rates": Text(
        "The rate and p of the network with dropout (round 9; p 0.85 added in round 13, which chose the same point "
        "again), chosen together on validation from rates {rates} × p "
        "{doses} ({tune_seeds} seeds per point, each cell the mean validation accuracy in %; no test image played a "
        "part), beside the rates of the network without dropout (its round 8 choice, kept). Each ✓ point trained at "
        "{seeds} fresh seeds for the dropout claim below.",
        "Dropout's rate and p, chosen on validation (✓).",
    ),
    "reg.dropout_time": Text(
        "The claim's test (round 11, registered before its runs): the main CNN without dropout and with dropout {p} "
        "(before its last layer; the p validation chose from {grid}, by each tuning run's best over the 30 epochs), "
        "trained alike for 30 epochs on {images} images with Adam at a constant rate, validated every {every} steps "
        "on {validation} held-out images, seeds {seeds}, each seed on its own draw of images. Each curve is read "
        "averaged over one epoch (four validations), so one lucky evaluation does not count. Each seed has its own "
        "target, 98 % of the lower of its two runs' best averaged accuracy, so both reach it; the table gives each "
        "run's epochs to it. The curves below are means ± std over the seeds.",
        "Epochs until the validation accuracy reaches each seed's target, with and without dropout (30 epochs).",
    ),
    "reg.dropout_time_round4": Text(
        "Before round 11: the same two networks for 10 epochs, dropout at {p} (chosen then at the end of the 10 "
        "epochs), trained on {images} images and validated every {every} steps on {validation} held-out images, seeds "
        "{seeds}. One target for all seeds, {target} % (98 % of the lowest best validation accuracy of the ten runs), "
        "read from one evaluation at a time. A review found that the hardest draw of images set that shared target and "
        "that the curves crossed it half-way through the runs, so round 11 replaced this test; its numbers are in the "
        "claim's.",
        "Round 4: 10 epochs, one target for all seeds.",
    ),
    "reg.checkpoint_tuning": Text(
        "How validation chose: every candidate's error and loss on {validation} validation images, means of "
        "{seeds} tuning runs, each on its own draw of training and validation images (none of them test images).",
        "Each candidate's validation error; the chosen one of each arm is marked.",
    ),
    "reg.long_checkpoints": Text(
        "The claim's test (round 10, registered before its runs): Huang et al. used 5 cycles, so here 5 cycles, each "
        "as long as the comparison above: {epochs} epochs of {images} images in all, one network with one cosine "
        "schedule against one run of 5 cosine cycles whose 5 checkpoints are averaged, both at rate {rate} (round "
        "3's choices; nothing was tuned again at this budget, where one run took 9 to 19 minutes), seeds {seeds}, "
        "each on its own draw of images. The claim is judged on all 5 averaged; the last 2 to 4 are shown beside.",
        "The claim's test (round 10): {epochs} epochs, one network against its 5 cycles' checkpoints averaged; "
        "test errors on the 10,000 test images.",
    ),
    "reg.checkpoints": Text(
        "Three ways to spend the same {steps} SGD steps ({epochs} epochs) on {images} images ({seeds} seeds each): one "
        "network with one cosine schedule from rate {single_rate}; one run with {members} cosine cycles of {cycle} "
        "steps from rate {snapshot_rate}, keeping the checkpoint at the end of each cycle (a snapshot ensemble, "
        "Huang et al. 2017, whose idea is that each restart sends the weights towards another minimum) and averaging "
        "the last {averaged}; or {members} networks of {cycle} steps each at rate {snapshot_rate}, from different "
        "initializations. Each rate, the cycle count and how many checkpoints are averaged were chosen on validation "
        "images, in tuning runs at three other seeds (the table below; one of their draws holds these training "
        "images). The snapshot and independent runs follow the same "
        "schedule: the snapshot run continues from its last checkpoint, the others start anew. Ensembles average "
        "the members' softmax outputs; scored on the 10,000 test images.",
        "Same cost: one network, its own checkpoints averaged, or independent short runs averaged.",
    ),
}
