"""Ctrl-C during training: finish the current step, save a checkpoint, stop."""

from __future__ import annotations

import signal
import sys
import threading


class TrainingInterrupted(Exception):
    """Raised by the training loop after Ctrl-C, once the checkpoint of the last step is saved."""

    def __init__(self, checkpoint_path, epoch: int, step_in_epoch: int):
        self.checkpoint_path = checkpoint_path
        self.epoch = epoch
        self.step_in_epoch = step_in_epoch
        where = f"step {step_in_epoch} of epoch {epoch + 1}" if step_in_epoch else f"epoch {epoch}"
        super().__init__(f"training interrupted after {where}; checkpoint saved to {checkpoint_path}")


class GracefulInterrupt:
    """Context manager that turns the first Ctrl-C (SIGINT) into a request to stop.

    Inside it, Ctrl-C does not raise ``KeyboardInterrupt`` in the middle of a
    step, where it could leave half of the weights updated; it sets
    ``requested``, which the training loop checks after each step.  A second
    Ctrl-C raises ``KeyboardInterrupt`` at once, for a loop that is stuck.

    Signal handlers can only be installed from the main thread; elsewhere
    this context does nothing and Ctrl-C behaves as usual.
    """

    def __enter__(self):
        self.requested = False
        self._previous_handler = None
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signal_number, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nCtrl-C: stopping after the current step and saving a checkpoint "
              "(press Ctrl-C again to abort without saving)", file=sys.stderr, flush=True)

    def __exit__(self, *exc_info):
        if self._previous_handler is not None:
            signal.signal(signal.SIGINT, self._previous_handler)
        return False
