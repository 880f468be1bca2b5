"""A folder of recordings in one command (``formcheck batch``): find the recordings, analyse them on
worker processes (Dask distributed, locally or on a cluster), record each as sessions in the parent
(the one writer of the session store), write the per-recording reports and one summary table, and
start again where a stopped run left off.

files    what is in the folder: recordings, whose they are, their content hash
worker   what a worker process does with one file (one pose graph per worker, reused)
engine   handing work to the workers: a local Dask cluster, an existing one, or this process
record   the parent's part: sessions in the store from a worker's result
summary  the summary table's rows and the CSV
state    what is finished, by content hash, so a stopped run is not redone
progress the progress bar (or plain lines) with the recording in hand and an ETA
"""
