"""What *Lecture claims* states above its table, for every claim at once: the one rule that turns an effect and its
interval into a verdict (``core.claims`` applies it) and the design every test shares (which weights are measured,
how each arm was tuned)."""

RULE = (
    "One rule for every claim, adopted in round 2 of the tests: the effect in the lecture's direction with its 95 % "
    "interval, from paired differences over at least 5 seeds (Student's t) or, where one network or ensemble is "
    "compared with another, a paired bootstrap over the test images. Shown: the interval lies above 0 and the effect "
    "reaches the claim's minimum. The opposite: the interval lies below 0. Otherwise not shown: the claim fails here "
    "when the interval lies below the minimum (an effect of that size is excluded), and this test cannot see it when "
    "the interval still holds the minimum (the data cannot tell whether the effect reaches it). A deterministic "
    "demonstration (the same numbers on every run) has no interval: its effect and its stated condition decide. No "
    "correction is made for testing many claims: a 95 % interval misses the true effect one time in 20, so among 22 "
    "claims about one verdict may be wrong by chance alone. A shown claim's interval may still reach below the "
    "minimum: shown says the effect is above 0 and its estimate, not the whole interval, reaches the minimum."
)

# Which weights each claim measures and how its arms were tuned (core.plan: the settings and their registration).
DESIGN = (
    "Which weights are measured, the same for every arm: each network at the end of its schedule (the CNNs trained on "
    "500 and on 55,000 images, the learning-rate sweep, the dropout-time runs, each checkpoint of a snapshot ensemble "
    "at the end of its cycle, the fully connected networks at the end of their steps); early stopping alone keeps "
    "other weights, evaluated every epoch, against the end of the same run, trained at a constant rate so that neither "
    "was annealed: those of the highest validation accuracy for its accuracy claim, of the lowest validation loss for "
    "its loss claim. Tuning, every arm of a claim by the same rule on the same tuning seeds (an arm with more settings "
    "has more candidates): dropout's p, AdamW's λ, Adam + L2's λ, SGD's rate and then SGD's λ at that rate each from 5 "
    "grid points, chosen by validation accuracy averaged over 3 seeds (each 500 held-out images of its own draw, none "
    "of the compared runs' draws), and the same for dropout's p in the networks trained on 55,000 images (5,000 held "
    "out) and in the dropout-time networks (10,000 images, 2,000 held out), and for the checkpoint comparison's SGD "
    "rates, cycle count and number of checkpoints averaged, by the (averaged) prediction's validation error (its first "
    "tuning seed draws the compared runs' training images); the rate chosen with the dose by the same rule where AdamW "
    "meets Adam + L2 or no decay (round 8: 5 rates each, × 5 λ for AdamW, 4 for Adam + L2), for both arms of the "
    "augmentation claims (the same 5 rates), for dropout's (round 9: the same 5 rates × 5 p after one edge extension, "
    "× 6 since round 13; since round 12 also the small-data MC claim's network), for TTA's flip + crop network and the "
    "same-augmentation claim's four networks (round 12: the same 5 rates) and for SGD + L2 (3 rates × 3 λ); every "
    "other small-data arm shares Adam's untuned 1e-3; the fully connected networks' learning rate per arm and seed "
    "from a grid of at most 3.3x steps, chosen by validation loss, with Kaiming initialization (the activation recap: "
    "PyTorch's default); the learning-rate sweep's two CNNs with Kaiming initialization, at every rate of a grid of at "
    "most 2.5x steps that starts below the plain one's best, compared at the lowest rate at which the plain network's "
    "training loss stalls at 2 of 3 tuning seeds (no test image read); every other CNN a claim reads (each with "
    "BatchNorm) keeps PyTorch's default initialization, not Kaiming. Ties go to the lower validation loss. The tuning "
    "is coarse: on 500 validation images a mean over 3 seeds carries about a point of binomial noise alone, and many "
    "choices lead the next candidate by 0.1 to 0.2 points (the tuning tables), so a neighbouring setting would often "
    "have served as well. Where a measure changed after a round's results or a review found a design unfair (each "
    "claim's numbers name its rounds), the verdict is taken on fresh seeds registered before their runs, and the "
    "earlier seeds are reported beside it."
)
