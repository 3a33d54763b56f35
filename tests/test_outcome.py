from phoenix_judge.outcome import Fault, Verdict, rank_scores


def test_ranks_share_ties_and_put_faulted_seats_last() -> None:
    assert rank_scores([3.0, 5.0, 3.0], [False, False, False]) == [2, 1, 2]
    assert rank_scores([9.0, 1.0, 5.0], [True, False, False]) == [3, 2, 1]
    assert rank_scores([1.0, 1.0], [True, True]) == [1, 1]


def test_fault_json_names_the_verdict() -> None:
    fault = Fault(Verdict.ILLEGAL_MOVE, "column 9 does not exist", turn=4, detail={"move": "9"})
    assert fault.to_json() == {"verdict": "illegal_move", "reason": "column 9 does not exist", "turn": 4, "detail": {"move": "9"}}
