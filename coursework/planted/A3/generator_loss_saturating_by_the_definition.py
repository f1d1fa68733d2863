"""The saturating loss written by its definition, mean log(1 - sigmoid(a)): right for moderate logits, but
1 - sigmoid(a) rounds to 0 for large a, and log(0) = -inf."""

TARGET_TASK = "3.2"


def generator_loss(fake_logits, saturating=False):
    if saturating:
        return F.mean(F.log(1 - F.sigmoid(fake_logits)))
    return _bce_with_constant_target(fake_logits, 1.0)
