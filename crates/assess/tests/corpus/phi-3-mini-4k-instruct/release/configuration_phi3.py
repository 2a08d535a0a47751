from transformers.configuration_utils import PretrainedConfig

class Phi3Config(PretrainedConfig):
    model_type = "phi3"
