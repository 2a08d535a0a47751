from transformers import AutoModelForCausalLM

def generate(prompt, model):
    model = AutoModelForCausalLM.from_pretrained(model, trust_remote_code=True)
    return model.generate(prompt)
