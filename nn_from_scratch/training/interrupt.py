"""Ctrl-C (or SIGTERM) during training: finish the current step, save a checkpoint, stop."""

from __future__ import annotations

import signal
import sys
import threading

SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}   # the signals that stop a run cleanly


class TrainingInterrupted(Exception):
    """Raised by the training loop after Ctrl-C or SIGTERM, once the checkpoint of the last step is saved.

    ``signal_number``: the signal that stopped the run (the command line exits with 128 + it).
    ``complete``: the signal came while the last epoch was being saved, so the run is complete
    (nothing is left to resume), but the program still stops, as its user asked.
    """

    def __init__(self, checkpoint_path, epoch: int, step_in_epoch: int, signal_number: int = signal.SIGINT,
                 complete: bool = False):
        self.checkpoint_path = checkpoint_path
        self.epoch = epoch
        self.step_in_epoch = step_in_epoch
        self.signal_number = signal_number
        self.complete = complete
        where = f"step {step_in_epoch} of epoch {epoch + 1}" if step_in_epoch else f"epoch {epoch}"
        if complete:
            where += ", the last one (the run is complete)"
        super().__init__(f"training interrupted ({SIGNAL_NAMES.get(signal_number, 'signal')}) after {where}; "
                         f"checkpoint saved to {checkpoint_path}")


class GracefulInterrupt:
    """Context manager that turns the first Ctrl-C (SIGINT) or SIGTERM into a request to stop.

    Inside it, Ctrl-C does not raise ``KeyboardInterrupt`` in the middle of a
    step, where it could leave half of the weights updated; it sets
    ``requested`` (and ``signal_number``), which the training loop checks
    after each step.  SIGTERM (``kill``, a cluster's time limit, a closing
    terminal's session manager) is treated the same way.  A second signal
    raises ``KeyboardInterrupt`` at once, for a loop that is stuck.

    Signal handlers can only be installed from the main thread; elsewhere
    this context does nothing and Ctrl-C behaves as usual.
    """

    def __enter__(self):
        self.requested = False
        self.signal_number = None
        self._previous_handlers = {}
        if threading.current_thread() is threading.main_thread():
            for number in SIGNAL_NAMES:
                self._previous_handlers[number] = signal.signal(number, self._handle)
        return self

    def _handle(self, signal_number, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.signal_number = signal_number
        name = SIGNAL_NAMES[signal_number]
        print(f"\n{name}: stopping after the current step and saving a checkpoint "
              f"(press Ctrl-C again to abort without saving)", file=sys.stderr, flush=True)

    def __exit__(self, *exc_info):
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        return False


class SigtermLikeCtrlC:
    """``with SigtermLikeCtrlC():`` SIGTERM raises ``KeyboardInterrupt``, as Ctrl-C does.

    By default SIGTERM ends Python at once, without ``finally`` blocks or a
    message; inside this context a terminated command cleans up and says so.
    """

    def __enter__(self):
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
        return False


def _raise_keyboard_interrupt(signal_number, frame):
    raise KeyboardInterrupt
