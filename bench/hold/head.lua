-- wrk script: send HEAD instead of GET (the request `hf_hub_download` makes first for every file).
wrk.method = "HEAD"
