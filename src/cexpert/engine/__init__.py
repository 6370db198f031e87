"""The engine: a case in, forward chaining over the compiled rules, a result out.

`compile` is the only module that imports Experta."""
