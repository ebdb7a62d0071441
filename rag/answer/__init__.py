"""Answers: a question parsed once into a plan (plan.py, followup.py, sides.py), evidence chosen
for the model (evidence.py), the prompt, one generation per part, refusals, the checked answer
(answerer.py), comparisons and timelines; extractive.py quotes the best sentences without a model."""
