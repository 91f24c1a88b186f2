"""audits.collector: work set aside from the garbage collector hands the objects back afterwards,
unless the process had frozen its own objects first (the command line), which stay frozen."""

import gc

from audits import collector


def test_what_was_set_aside_is_handed_back_to_the_collector():
    gc.unfreeze()
    alive = [object() for _ in range(10)]  # something alive to freeze
    with collector.set_aside():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert alive


def test_a_process_that_froze_its_objects_keeps_them_frozen():
    gc.unfreeze()
    try:
        gc.freeze()
        before = gc.get_freeze_count()
        assert before > 0
        with collector.set_aside():
            made = [[i] for i in range(1000)]  # tracked objects made during the work
        assert gc.get_freeze_count() >= before
        assert made
    finally:
        gc.unfreeze()


def test_a_failure_inside_still_hands_the_objects_back():
    gc.unfreeze()
    try:
        with collector.set_aside():
            raise KeyError("the work failed")
    except KeyError:
        pass
    assert gc.get_freeze_count() == 0
