"""Name and street-suffix lists for PERSON and STREET_ADDRESS (data only).

First names: the top 200 of each decade from the 1960s to the 1990s of the US Social
Security Administration's baby names (ssa.gov/OACT/babynames), and the UK first names,
as compiled in Faker's ``en_US`` and ``en_GB`` person providers. Last names: the 1,000
most frequent US surnames of the 2000 US Census and the UK surnames, from the same
providers. Street suffixes: the USPS Publication 28 (appendix C1) suffix words of
Faker's ``en_US`` and ``en_GB`` address providers. The SSA and Census lists are works of
the US government (public domain); the compilation is Faker's, used under its licence:

    Copyright (c) 2012 Daniele Faraglia

    Permission is hereby granted, free of charge, to any person obtaining a copy of this
    software and associated documentation files (the "Software"), to deal in the Software
    without restriction, including without limitation the rights to use, copy, modify,
    merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
    permit persons to whom the Software is furnished to do so, subject to the following
    conditions:

    The above copyright notice and this permission notice shall be included in all copies
    or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
    INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
    PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
    HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
    CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE
    OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

Faker is a test dependency only: the lists are copied here (Faker 40) so that the package
does not need it at run time.
"""

# fmt: off
FIRST_NAMES = (
    "Aaron Abbie Abdul Abigail Adam Adrian Adriana Adrienne Aimee Alan Albert Alec Alejandra "
    "Alejandro Alex Alexa Alexander Alexandra Alexandria Alexis Alfred Alice Alicia Alisha Alison "
    "Allan Allen Allison Alvin Alyssa Amanda Amber Amelia Amy Ana Andre Andrea Andres Andrew "
    "Angel Angela Angelica Angie Anita Ann Anna Anne Annette Anthony Antonio Antony April Ariana "
    "Ariel Arthur Ashlee Ashleigh Ashley Audrey Austin Autumn Bailey Barbara Barry Becky Belinda "
    "Ben Benjamin Bernard Beth Bethan Bethany Betty Beverley Beverly Bianca Bill Billy Blake Bob "
    "Bobby Bonnie Brad Bradley Brady Brandi Brandon Brandy Breanna Brenda Brendan Brent Brett "
    "Brian Briana Brianna Bridget Brittany Brittney Brooke Bruce Bryan Bryce Caitlin Caitlyn "
    "Caleb Callum Calvin Cameron Candace Candice Carl Carla Carlos Carly Carmen Carol Carole "
    "Caroline Carolyn Carrie Casey Cassandra Cassidy Cassie Catherine Cathy Cesar Chad Charlene "
    "Charles Charlie Charlotte Chase Chelsea Chelsey Cheryl Cheyenne Chloe Chris Christian "
    "Christie Christina Christine Christopher Christy Cindy Claire Clare Clarence Claudia Clayton "
    "Clifford Clinton Clive Cody Cole Colin Colleen Collin Colton Connie Connor Conor Corey Cory "
    "Courtney Craig Cristian Cristina Crystal Curtis Cynthia Daisy Dakota Dale Dalton Damian "
    "Damien Damon Dan Dana Daniel Danielle Danny Darin Darius Darlene Darrell Darren Darryl Daryl "
    "Dave David Dawn Dean Deanna Debbie Deborah Debra Declan Denis Denise Dennis Derek Derrick "
    "Desiree Destiny Devin Devon Diamond Diana Diane Dillon Dominic Dominique Don Donald Donna "
    "Doris Dorothy Douglas Drew Duane Duncan Dustin Dwayne Dylan Earl Ebony Eddie Edgar Eduardo "
    "Edward Edwin Eileen Elaine Eleanor Elijah Elizabeth Ellen Ellie Elliot Elliott Emily Emma "
    "Eric Erica Erik Erika Erin Ernest Ethan Eugene Evan Evelyn Faith Felicia Fernando Fiona "
    "Frances Francesca Francis Francisco Frank Franklin Fred Frederick Gabriel Gabriela Gabriella "
    "Gabrielle Gail Gareth Garrett Garry Gary Gavin Gemma Gene Geoffrey George Georgia Georgina "
    "Gerald Geraldine Gerard Gilbert Gillian Gina Glen Glenda Glenn Gloria Gordon Grace Graeme "
    "Graham Grant Greg Gregg Gregory Guy Gwendolyn Hailey Haley Hannah Harold Harriet Harry "
    "Hayden Hayley Hazel Heather Hector Heidi Helen Henry Herbert Hilary Hollie Holly Howard Hugh "
    "Hunter Iain Ian Irene Isaac Isabel Isabella Isaiah Ivan Jack Jackie Jackson Jaclyn Jacob "
    "Jacqueline Jade Jaime Jake James Jamie Jane Janet Janice Jared Jasmin Jasmine Jason Javier "
    "Jay Jayne Jean Jeanette Jeanne Jeff Jeffery Jeffrey Jemma Jenna Jennifer Jenny Jeremiah "
    "Jeremy Jermaine Jerome Jerry Jesse Jessica Jesus Jill Jillian Jim Jimmy Jo Joan Joann Joanna "
    "Joanne Jocelyn Jodi Jodie Jody Joe Joel John Johnathan Johnny Jon Jonathan Jonathon Jordan "
    "Jorge Jose Joseph Josephine Josh Joshua Joy Joyce Juan Judith Judy Julia Julian Julie June "
    "Justin Kaitlin Kaitlyn Kara Karen Kari Karina Karl Karla Kate Katelyn Katherine Kathleen "
    "Kathryn Kathy Katie Katrina Katy Kayla Kaylee Kayleigh Keith Kelli Kellie Kelly Kelsey "
    "Kendra Kenneth Kent Kerri Kerry Kevin Kiara Kieran Kim Kimberley Kimberly Kirk Kirsten "
    "Kirsty Krista Kristen Kristi Kristie Kristin Kristina Kristine Kristopher Kristy Krystal "
    "Kurt Kyle Kylie Lacey Lance Larry Latasha Latoya Laura Lauren Laurie Lawrence Leah Leanne "
    "Lee Leigh Leon Leonard Leroy Lesley Leslie Levi Lewis Liam Linda Lindsay Lindsey Lisa Logan "
    "Lonnie Loretta Lori Lorraine Louis Louise Lucas Lucy Luis Luke Lydia Lynda Lynn Lynne "
    "Mackenzie Madeline Madison Makayla Malcolm Malik Mallory Mandy Manuel Marc Marcia Marco "
    "Marcus Margaret Maria Mariah Marian Marie Marilyn Mario Marion Marisa Marissa Mark Martha "
    "Martin Martyn Marvin Mary Mason Mathew Matthew Maureen Maurice Max Maxwell Mckenzie Meagan "
    "Megan Meghan Melanie Melinda Melissa Melody Melvin Mercedes Meredith Mia Michael Michaela "
    "Micheal Michele Michelle Miguel Mikayla Mike Mindy Miranda Misty Mitchell Mohamed Mohammad "
    "Mohammed Molly Monica Monique Morgan Nancy Naomi Natalie Natasha Nathan Nathaniel Neil "
    "Nicholas Nichole Nicola Nicolas Nicole Nigel Nina Noah Norma Norman Oliver Olivia Omar Oscar "
    "Owen Paige Pam Pamela Parker Patricia Patrick Patty Paul Paula Pauline Pedro Peggy Penny "
    "Perry Peter Philip Phillip Phyllis Preston Priscilla Rachael Rachel Ralph Randall Randy "
    "Raven Ray Raymond Rebecca Rebekah Reece Regina Reginald Renee Rhonda Rhys Ricardo Richard "
    "Rick Rickey Ricky Riley Rita Robert Roberta Roberto Robin Robyn Rodney Roger Ronald Ronnie "
    "Rose Rosemary Rosie Ross Roy Ruben Russell Ruth Ryan Sabrina Sally Sam Samantha Samuel "
    "Sandra Sandy Sara Sarah Savannah Scott Sean Selena Sergio Seth Shane Shannon Shari Sharon "
    "Shaun Shawn Shawna Sheena Sheila Shelby Shelia Shelley Shelly Sheri Sherri Sherry Sheryl "
    "Shirley Sian Sierra Simon Sonia Sonya Sophia Sophie Spencer Stacey Stacie Stacy Stanley "
    "Stefanie Stephanie Stephen Steve Steven Stewart Stuart Sue Summer Susan Suzanne Sydney "
    "Sylvia Tabitha Tamara Tami Tammie Tammy Tanner Tanya Tara Tasha Taylor Terence Teresa "
    "Terrance Terrence Terri Terry Theodore Theresa Thomas Tiffany Tim Timothy Tina Toby Todd Tom "
    "Tommy Toni Tony Tonya Tracey Traci Tracie Tracy Travis Trevor Tricia Tristan Troy Tyler "
    "Tyrone Valerie Vanessa Vernon Veronica Vicki Vickie Victor Victoria Vincent Virginia Walter "
    "Wanda Warren Wayne Wendy Wesley Whitney William Willie Wyatt Xavier Yesenia Yolanda Yvette "
    "Yvonne Zachary Zoe "
)

LAST_NAMES = (
    "Abbott Acevedo Acosta Adams Adkins Aguilar Aguirre Ahmed Akhtar Alexander Ali Allan Allen "
    "Allison Alvarado Alvarez Andersen Anderson Andrade Andrews Anthony Archer Arellano Arias "
    "Armstrong Arnold Arroyo Ashley Ashton Atkins Atkinson Austin Avery Avila Ayala Ayers Bailey "
    "Baird Baker Baldwin Ball Ballard Banks Barajas Barber Barker Barlow Barnes Barnett Barr "
    "Barrera Barrett Barron Barry Bartlett Barton Bass Bates Bauer Bautista Baxter Bean Beard "
    "Beasley Beck Becker Begum Bell Beltran Bender Benitez Benjamin Bennett Benson Bentley Benton "
    "Berg Berger Bernard Berry Best Bevan Bibi Birch Bird Bishop Black Blackburn Blackwell Blair "
    "Blake Blanchard Blankenship Blevins Bolton Bond Bonilla Booker Boone Booth Bowen Bowers "
    "Bowman Boyd Boyer Boyle Bradford Bradley Bradshaw Brady Branch Brandt Braun Bray Brennan "
    "Brewer Bridges Briggs Bright Brock Brookes Brooks Brown Browne Browning Bruce Bryan Bryant "
    "Buchanan Buck Buckley Bull Bullock Burch Burgess Burke Burnett Burns Burrows Burton Bush "
    "Butcher Butler Byrd Byrne Cabrera Cain Calderon Caldwell Calhoun Callahan Camacho Cameron "
    "Campbell Campos Cannon Cantrell Cantu Cardenas Carey Carlson Carney Carpenter Carr Carrillo "
    "Carroll Carson Carter Cartwright Case Casey Castaneda Castillo Castro Cervantes Chadwick "
    "Chamberlain Chambers Chan Chandler Chaney Chang Chapman Charles Charlton Chase Chavez Chen "
    "Cherry Choi Christensen Christian Chung Church Cisneros Clark Clarke Clay Clayton Clements "
    "Cline Coates Cobb Cochran Coffey Cohen Cole Coleman Coles Collier Collins Colon Combs "
    "Compton Conley Conner Connolly Connor Conrad Contreras Conway Cook Cooke Cooley Cooper "
    "Copeland Cordova Cortez Costa Cowan Cox Craig Crane Crawford Crosby Cross Cruz Cuevas "
    "Cummings Cunningham Curry Curtis Dale Dalton Daly Daniel Daniels Daugherty Davenport Davey "
    "David Davidson Davies Davila Davis Davison Dawson Day Dean Decker Delacruz Deleon Delgado "
    "Dennis Diaz Dickerson Dickinson Dickson Dillon Dixon Dobson Dodd Dodson Doherty Dominguez "
    "Donaldson Donnelly Donovan Dorsey Dougherty Douglas Downs Doyle Drake Duarte Dudley Duffy "
    "Duke Duncan Dunlap Dunn Duran Durham Dyer Eaton Edwards Elliott Ellis Ellison English "
    "Erickson Escobar Esparza Espinoza Estes Estrada Evans Everett Ewing Farley Farmer Farrell "
    "Faulkner Ferguson Fernandez Ferrell Field Fields Figueroa Finch Finley Fischer Fisher "
    "Fitzgerald Fitzpatrick Fleming Fletcher Flores Flowers Floyd Flynn Foley Forbes Ford Forster "
    "Foster Fowler Fox Francis Franco Frank Franklin Fraser Frazier Frederick Freeman French Frey "
    "Friedman Fritz Frost Fry Frye Fuentes Fuller Gaines Gallagher Gallegos Galloway Galvan "
    "Gamble Garcia Gardiner Gardner Garner Garrett Garrison Garza Gates Gay Gentry George Gibbons "
    "Gibbs Gibson Gilbert Giles Gill Gillespie Gilmore Glass Glenn Glover Goddard Godfrey Golden "
    "Gomez Gonzales Gonzalez Good Goodman Goodwin Gordon Gough Gould Graham Grant Graves Gray "
    "Green Greene Greenwood Greer Gregory Griffin Griffith Griffiths Grimes Gross Guerra Guerrero "
    "Gutierrez Guzman Haas Hahn Hale Haley Hall Hamilton Hammond Hampton Hancock Haney Hanna "
    "Hansen Hanson Hardin Harding Hardy Hargreaves Harmon Harper Harrell Harrington Harris "
    "Harrison Hart Hartley Hartman Harvey Hatfield Hawkins Hayden Hayes Haynes Hays Hayward Heath "
    "Hebert Henderson Hendricks Hendrix Henry Hensley Henson Herbert Herman Hernandez Herrera "
    "Herring Hess Hester Hewitt Hickman Hicks Higgins Hill Hilton Hines Hinton Ho Hobbs Hodge "
    "Hodges Hodgson Hoffman Hogan Holden Holder Holland Holloway Holmes Holt Hood Hooper Hoover "
    "Hope Hopkins Horn Horne Horton Houghton House Houston Howard Howarth Howe Howell Howells "
    "Huang Hubbard Huber Hudson Huerta Huff Huffman Hughes Hull Humphrey Humphreys Humphries Hunt "
    "Hunter Hurley Hurst Hussain Hutchinson Huynh Hyde Ibarra Ingram Iqbal Irwin Jackson Jacobs "
    "Jacobson James Jarvis Jefferson Jenkins Jennings Jensen Jimenez John Johns Johnson Johnston "
    "Jones Jordan Joseph Joyce Juarez Kaiser Kane Kaufman Kaur Kay Keith Keller Kelley Kelly Kemp "
    "Kennedy Kent Kerr Key Khan Kidd Kim King Kirby Kirk Klein Kline Knapp Knight Knowles Knox "
    "Koch Kramer Krause Krueger Lam Lamb Lambert Landry Lane Lang Lara Larsen Larson Law Lawrence "
    "Lawson Le Leach Leblanc Lee Lees Leon Leonard Lester Levine Levy Lewis Li Lin Lindsey Little "
    "Liu Livingston Lloyd Logan Long Lopez Lord Love Lowe Lowery Lozano Lucas Lucero Luna Lutz "
    "Lynch Lynn Lyons Macdonald Macias Mack Madden Maddox Mahmood Mahoney Maldonado Malone Mann "
    "Manning Marks Marquez Marsden Marsh Marshall Martin Martinez Mason Massey Mata Mathews "
    "Mathis Matthews Maxwell May Mayer Maynard Mayo Mays McCarthy McDonald McKenzie McLean "
    "Mcbride Mccall Mccann Mccarthy Mccarty Mcclain Mcclure Mcconnell Mccormick Mccoy Mccullough "
    "Mcdaniel Mcdonald Mcdowell Mcfarland Mcgee Mcgrath Mcguire Mcintosh Mcintyre Mckay Mckee "
    "Mckenzie Mckinney Mcknight Mclaughlin Mclean Mcmahon Mcmillan Mcneil Mcpherson Meadows "
    "Medina Mejia Melendez Mellor Melton Mendez Mendoza Mercado Mercer Merritt Metcalfe Meyer "
    "Meyers Meza Miah Michael Middleton Miles Miller Mills Miranda Mistry Mitchell Molina Monroe "
    "Montes Montgomery Montoya Moody Moon Mooney Moore Mora Morales Moran Moreno Morgan Morley "
    "Morris Morrison Morrow Morse Morton Moses Mosley Moss Moyer Mueller Mullen Mullins Munoz "
    "Murillo Murphy Murray Myers Nash Navarro Naylor Neal Nelson Newman Newton Nguyen Nicholls "
    "Nichols Nicholson Nielsen Nixon Noble Nolan Norman Norris North Norton Novak Nunez O'Brien "
    "O'Connor O'Donnell O'Neill O'Sullivan Obrien Ochoa Oconnell Oconnor Odom Odonnell Oliver "
    "Olsen Olson Oneal Oneill Orozco Orr Ortega Ortiz Osborn Osborne Owen Owens Pace Pacheco "
    "Padilla Page Palmer Park Parker Parkes Parkin Parkinson Parks Parrish Parry Parsons Patel "
    "Patrick Patterson Patton Paul Payne Peacock Pearce Pearson Peck Pena Pennington Perez "
    "Perkins Perry Peters Petersen Peterson Petty Pham Phelps Phillips Pickering Pierce Pineda "
    "Pittman Pitts Pollard Ponce Poole Pope Porter Potter Potts Powell Power Powers Pratt Preston "
    "Price Prince Pritchard Proctor Pruitt Pugh Quinn Rahman Ramirez Ramos Ramsey Randall "
    "Randolph Rangel Rasmussen Ray Raymond Read Reed Rees Reese Reeves Reid Reilly Reyes Reynolds "
    "Rhodes Rice Rich Richard Richards Richardson Richmond Riddle Riggs Riley Rios Ritter Rivas "
    "Rivera Rivers Roach Robbins Roberson Roberts Robertson Robinson Robles Robson Rocha Rodgers "
    "Rodriguez Rogers Rojas Rollins Roman Romero Rosales Rosario Rose Ross Roth Rowe Rowland "
    "Rowley Roy Rubio Ruiz Rush Russell Russo Ryan Salas Salazar Salinas Sampson Sanchez Sanders "
    "Sanderson Sandoval Sanford Santana Santiago Santos Saunders Savage Sawyer Schaefer Schmidt "
    "Schmitt Schneider Schofield Schroeder Schultz Schwartz Scott Sellers Serrano Sexton Shaffer "
    "Shah Shannon Sharp Sharpe Shaw Shea Shelton Shepard Shepherd Sheppard Sherman Shields Short "
    "Silva Simmons Simon Simpson Sims Sinclair Singh Singleton Skinner Slater Sloan Small Smart "
    "Smith Snow Snyder Solis Solomon Sosa Soto Sparks Spears Spence Spencer Stafford Stanley "
    "Stanton Stark Steele Stein Stephens Stephenson Stevens Stevenson Stewart Stokes Stone Storey "
    "Stout Strickland Strong Stuart Suarez Sullivan Summers Sutton Swanson Sweeney Swift Sykes "
    "Talbot Tanner Tapia Tate Taylor Terrell Terry Thomas Thompson Thomson Thornton Thorpe Todd "
    "Tomlinson Torres Townsend Tran Travis Trevino Trujillo Tucker Turnbull Turner Tyler "
    "Underwood Valdez Valencia Valentine Valenzuela Vance Vang Vargas Vasquez Vaughan Vaughn "
    "Vazquez Vega Velasquez Velazquez Velez Villa Villanueva Villarreal Villegas Vincent Wade "
    "Wagner Walker Wall Wallace Waller Wallis Walls Walsh Walter Walters Walton Wang Ward Ware "
    "Warner Warren Washington Waters Watkins Watson Watts Weaver Webb Weber Webster Weeks Weiss "
    "Welch Wells Werner West Weston Wheeler Whitaker White Whitehead Whitehouse Whitney Whittaker "
    "Wiggins Wilcox Wiley Wilkerson Wilkins Wilkinson Williams Williamson Willis Wilson Winter "
    "Winters Wise Wolf Wolfe Wong Wood Woodard Woods Woodward Wright Wu Wyatt Yang Yates Yoder "
    "York Young Yu Zamora Zavala Zhang Zimmerman Zuniga "
)

STREET_SUFFIXES = (
    "Alley Avenue Branch Bridge Brook Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center "
    "Centers Circle Circles Cliff Cliffs Club Common Corner Corners Course Court Courts Cove "
    "Coves Creek Crescent Crest Crossing Crossroad Curve Dale Dam Divide Drive Drives Estate "
    "Estates Expressway Extension Extensions Fall Falls Ferry Field Fields Flat Flats Ford Fords "
    "Forest Forge Forges Fork Forks Fort Freeway Garden Gardens Gateway Glen Glens Green Greens "
    "Grove Groves Harbor Harbors Haven Heights Highway Hill Hills Hollow Inlet Island Islands "
    "Isle Junction Junctions Key Keys Knoll Knolls Lake Lakes Land Landing Lane Light Lights Loaf "
    "Lock Locks Lodge Loop Mall Manor Manors Meadow Meadows Mews Mill Mills Mission Motorway "
    "Mount Mountain Mountains Neck Orchard Oval Overpass Park Parks Parkway Parkways Pass Passage "
    "Path Pike Pine Pines Place Plain Plains Plaza Point Points Port Ports Prairie Radial Ramp "
    "Ranch Rapid Rapids Rest Ridge Ridges River Road Roads Route Row Rue Run Shoal Shoals Shore "
    "Shores Skyway Spring Springs Spur Spurs Square Squares Station Stravenue Stream Street "
    "Streets Summit Terrace Throughway Trace Track Trafficway Trail Tunnel Turnpike Underpass "
    "Union Unions Valley Valleys Via Viaduct View Views Village Villages Ville Vista Walk Walks "
    "Wall Way Ways Well Wells "
)
# fmt: on
