"""Transpose.backward permutes the gradient by the forward axes again instead of their inverse: right for swaps
(their own inverse), wrong for a 3-cycle."""

TARGET_TASK = "1.9"


class TransposeFunction:
    def backward(self, g):
        return g.transpose(self.forward_axes)
