"""The loss on logits as log(1 + exp(x)) - x t: right for moderate logits, but exp(x) overflows for x above about
710 (89 in float32) and the loss becomes inf."""

TARGET_TASK = "2.4"


class BinaryCrossEntropyWithLogitsFunction:
    def forward(self, x, t):
        xp = array_module(x, t)
        self.x, self.t = x, t
        return xp.log1p(xp.exp(x)) - x * t
