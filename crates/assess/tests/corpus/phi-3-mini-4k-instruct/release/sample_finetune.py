from trl import SFTTrainer
trainer = SFTTrainer(model=model, train_dataset=train_dataset)
trainer.train()
