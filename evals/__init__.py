"""The evaluation harness: `make eval` (`python -m evals.run`).

A hand-written ground truth for the sample corpus (`questions.jsonl`, see QUESTIONS.md) is
asked through the app's own HTTP contract, as configured (offline by default), and scored:
retrieval hit@1, hit@5 and MRR, citation correctness, the fact in the answer, refusals on
unanswerable questions. `truth` loads the set, `metrics` scores, `run` asks and reports.
"""
