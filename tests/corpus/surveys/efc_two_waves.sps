* Two stand-in waves of the EUROFAMCARE sample for the README's comparison walkthrough.
* EFC.sav is one survey: its odd-numbered carers become a "baseline" and the even-numbered a
* "follow-up", so any difference between them is sampling noise, not change.
GET FILE='tests/corpus/surveys/EFC.sav'.
COMPUTE half = MOD($CASENUM, 2).
EXECUTE.
TEMPORARY.
SELECT IF half = 1.
SAVE OUTFILE='efc_baseline.sav' /DROP=half.
TEMPORARY.
SELECT IF half = 0.
SAVE OUTFILE='efc_followup.sav' /DROP=half.
