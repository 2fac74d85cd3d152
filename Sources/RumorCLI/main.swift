print("rumor")
